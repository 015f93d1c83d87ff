import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import type { Config } from "../domain/config.ts";
import { resolveConfig } from "../domain/config-resolve.ts";
import { errorMessage, fail, type Result } from "../domain/result.ts";

/**
 * Reads `config.yaml` (YAML or JSON) under ORCH_HOME and ORCH_* env. A bad file or variable
 * is a `bad_input` failure whose error has one problem per line, each naming the key and value
 * (and the file, for those from the file).
 *
 * @example
 * ```ts
 * const cfg = loadConfig(paths.config, process.env);
 * if (!cfg.ok) throw new DaemonError(cfg.error, 2);
 * // e.g. "/home/me/.local/state/orch/config.yaml: config commandTimeout=-1: expected a positive number of seconds"
 * ```
 */
export function loadConfig(file: string, env: Record<string, string | undefined>): Result<Config> {
  let raw: unknown;
  if (existsSync(file)) {
    try {
      raw = parse(readFileSync(file, "utf8"));
    } catch (e) {
      return fail("bad_input", `${file}: not valid YAML: ${errorMessage(e).split("\n")[0]}`);
    }
  }
  const r = resolveConfig(raw ?? undefined, env);
  if (r.ok) return r;
  // resolveConfig's error has one problem per line; those from the file get its name
  const lines = r.error.split("\n").map((e) => (e.startsWith("config ") ? `${file}: ${e}` : e));
  return fail("bad_input", lines.join("\n"));
}
