import { z } from "zod";
import type { AgentPlugin } from "./contract.ts";

const fn = (what: string) =>
  z.custom<(...a: never[]) => unknown>((v) => typeof v === "function", `${what} must be a function`);

const pluginSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, "name must be lowercase letters, digits or '-', starting with a letter"),
  description: z.string().min(1),
  version: z.string().min(1),
  startup: fn("startup"),
  frame: fn("frame"),
  detect: z.object({ kind: z.literal("marker") }),
  interruptKeys: z.array(z.string().min(1)).optional(),
});

/** Validates what a plugin factory returned; the error names the plugin and the bad field. */
export function validatePlugin(
  value: unknown,
  origin: string,
): { ok: true; plugin: AgentPlugin } | { ok: false; error: string } {
  const r = pluginSchema.safeParse(value);
  if (r.success) return { ok: true, plugin: value as AgentPlugin };
  const issues = r.error.issues.map((i) => `${i.path.join(".") || "(plugin)"}: ${i.message}`).join("; ");
  return { ok: false, error: `plugin from ${origin} is invalid: ${issues}` };
}
