import { z } from "zod";
import { lineControlCharacter } from "../domain/names.ts";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import type { AgentPlugin, PluginFactory, StartupSpec } from "./contract.ts";

const fn = (what: string) =>
  z.custom<(...a: never[]) => unknown>((v) => typeof v === "function", `${what} must be a function`);

const regex = z.instanceof(RegExp, { message: "must be a regular expression" });
const keys = z.array(z.string().min(1)).min(1);
const screenRules = z.object({
  busy: regex.optional(),
  idle: regex.optional(),
  waiting_input: regex.optional(),
  error: regex.optional(),
  rate_limited: regex.optional(),
  latestTurn: fn("detect.screen.latestTurn").optional(),
});

/** Text shown on terminals: non-empty, without control characters (named when there is one). */
function oneLine(field: string) {
  return z
    .string()
    .min(1)
    .superRefine((v, ctx) => {
      const control = lineControlCharacter(v);
      if (control) ctx.addIssue({ code: "custom", message: `${field} contains ${control}` });
    });
}

const pluginSchema = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, "name must be lowercase letters, digits or '-', starting with a letter"),
  // shown on terminals by plugin add/list/show: no escape sequences
  description: oneLine("description"),
  version: oneLine("version"),
  startup: fn("startup"),
  frame: fn("frame"),
  detect: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("marker"), screen: screenRules.optional(), nonce: z.boolean().optional() }),
    z.object({ kind: z.literal("hook"), hook: fn("detect.hook"), screen: screenRules.optional() }),
    z.object({
      kind: z.literal("screen"),
      screen: screenRules.refine(
        (r) => r.busy && r.idle,
        "screen detection needs both busy and idle patterns",
      ),
    }),
  ]),
  result: fn("result").optional(),
  approval: z
    .object({
      approveKeys: keys,
      denyKeys: keys,
      decide: fn("approval.decide").optional(),
      answerDelayMs: z.number().int().min(0).max(10_000).optional(),
    })
    .optional(),
  rateLimitWaitMs: fn("rateLimitWaitMs").optional(),
  acceptMs: z.number().int().positive().max(60_000).optional(),
  interruptKeys: keys.optional(),
  cleanup: fn("cleanup").optional(),
  probe: z
    .object({
      text: z.string().min(1),
      expect: regex,
      timeoutMs: z.number().int().positive().max(60_000).optional(),
      clearKeys: keys.optional(),
    })
    .optional(),
});

/**
 * Validates what a plugin factory returned; the error names the plugin and the bad field.
 *
 * @example
 * ```ts
 * validatePlugin({ name: "Bad" }, "file x.ts");
 * // { ok: false, code: "bad_input", error: "plugin from file x.ts is invalid: name: name must be lowercase ...; ..." }
 * ```
 */
export function validatePlugin(value: unknown, origin: string): Result<AgentPlugin> {
  const r = pluginSchema.safeParse(value);
  if (r.success) return ok(value as AgentPlugin);
  const issues = r.error.issues.map((i) => `${i.path.join(".") || "(plugin)"}: ${i.message}`).join("; ");
  return fail("bad_input", `plugin from ${origin} is invalid: ${issues}`);
}

/**
 * Calls a plugin factory and validates what it returns; never throws.
 *
 * @example
 * ```ts
 * const r = instantiatePlugin(shellPlugin, "built-in shell");
 * if (r.ok) registry.add(r.value);
 * ```
 */
export function instantiatePlugin(factory: PluginFactory, origin: string): Result<AgentPlugin> {
  let value: unknown;
  try {
    value = factory();
  } catch (e) {
    return fail("bad_input", `plugin from ${origin} threw while loading: ${errorMessage(e)}`);
  }
  return validatePlugin(value, origin);
}

const startupSpecSchema = z.object({
  argv: z.array(z.string()).min(1, "argv must name a command"),
  env: z.record(z.string(), z.string()).optional(),
  files: z
    .array(
      z
        .object({
          path: z.string().min(1),
          content: z.string().optional(),
          merge: z.custom<(old: string | null) => string | null>((v) => typeof v === "function").optional(),
          mode: z.number().int().optional(),
        })
        .refine((f) => (f.content === undefined) !== (f.merge === undefined), {
          message: "a seeded file has either content or merge (one of them)",
        }),
    )
    .optional(),
  ready: regex.optional(),
  runs: z.array(z.string()).optional(),
});

/**
 * Why what a plugin's `startup()` returned cannot be used (naming the field), or null. Checked
 * each time a worker starts, before any of it reaches tmux or the permission guard.
 *
 * @example
 * ```ts
 * startupSpecError({ argv: [] }); // "argv: argv must name a command"
 * ```
 */
export function startupSpecError(spec: unknown): string | null {
  const r = parseStartupSpec(spec);
  return r.ok ? null : r.error;
}

/**
 * What a plugin's `startup()` returned, checked and copied (unknown fields dropped), or why it
 * cannot be used (naming the field). A field that throws when read throws here.
 *
 * @example
 * ```ts
 * parseStartupSpec({ argv: ["sh"], extra: 1 }); // { ok: true, value: { argv: ["sh"] } }
 * ```
 */
export function parseStartupSpec(spec: unknown): Result<StartupSpec> {
  const r = startupSpecSchema.safeParse(spec);
  if (r.success) return ok(r.data as StartupSpec);
  return fail(
    "bad_input",
    r.error.issues.map((i) => `${i.path.join(".") || "(spec)"}: ${i.message}`).join("; "),
  );
}
