import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { type Config, resolveConfig } from "../domain/config.ts";

/** Reads `config.yaml` (YAML or JSON) under ORCH_HOME and ORCH_* env; errors name the key and value. */
export function loadConfig(
  file: string,
  env: Record<string, string | undefined>,
): { ok: true; config: Config } | { ok: false; errors: string[] } {
  let raw: unknown;
  if (existsSync(file)) {
    try {
      raw = parse(readFileSync(file, "utf8"));
    } catch (e) {
      return { ok: false, errors: [`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`] };
    }
  }
  const r = resolveConfig(raw ?? undefined, env);
  return r.ok
    ? r
    : { ok: false, errors: r.errors.map((e) => (e.startsWith("config ") ? `${file}: ${e}` : e)) };
}
