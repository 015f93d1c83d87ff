import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Config } from "../domain/config.ts";
import { resolveConfig } from "../domain/config-resolve.ts";
import { errorMessage } from "../domain/result.ts";

/**
 * Reads `config.yaml` (YAML or JSON) under ORCH_HOME and ORCH_* env; errors name the key and
 * value, one problem each. (A list beside `ok` rather than a `Result`'s one error until
 * src/cli/commands/service.ts moves to `Result`.)
 *
 * @example
 * ```ts
 * const cfg = loadConfig(paths.config, process.env);
 * if (!cfg.ok) throw new DaemonError(cfg.errors.join("\n"), 2);
 * // e.g. "/home/me/.local/state/orch/config.yaml: config commandTimeout=-1: expected a positive number of seconds"
 * ```
 */
export function loadConfig(
  file: string,
  env: Record<string, string | undefined>,
): { ok: true; config: Config } | { ok: false; errors: string[] } {
  let raw: unknown;
  if (existsSync(file)) {
    try {
      raw = parse(readFileSync(file, "utf8"));
    } catch (e) {
      return { ok: false, errors: [`${file}: not valid YAML: ${errorMessage(e).split("\n")[0]}`] };
    }
  }
  const r = resolveConfig(raw ?? undefined, env);
  if (r.ok) return { ok: true, config: r.value };
  // resolveConfig's error has one problem per line; those from the file get its name
  return {
    ok: false,
    errors: r.error.split("\n").map((e) => (e.startsWith("config ") ? `${file}: ${e}` : e)),
  };
}
