/**
 * The checks before the controller opens anything under ORCH_HOME: not root unless allowed,
 * and orch's folders and files (store, logs, sockets' folder) reachable by their owner only.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../domain/config.ts";
import { type PathFacts, privacyProblem, rootRefusal } from "../domain/isolation.ts";
import { errorMessage } from "../domain/result.ts";
import { inSandbox } from "../runtime/sandbox.ts";
import { pathFacts } from "../store/private-files.ts";
import { loadConfig } from "./load-config.ts";
import { type OrchPaths, orchPaths } from "./paths.ts";

/** The files directly in `dir` (none when it is missing). */
function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.isDirectory())
      .map((e) => join(dir, e.name))
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}

/**
 * The first of orch's existing paths that is not private to `uid`, checked outside in (a
 * folder before what is in it): ORCH_HOME (which holds the API and tmux sockets), its logs,
 * run and workers folders, the store and SQLite's files beside it, the log files. Missing
 * paths are fine (orch creates them private). Null when all is well.
 *
 * @example
 * ```ts
 * privacyRefusal(orchPaths("/home/u/.local/state/orch"), 1000);
 * // "/home/u/.local/state/orch/logs is mode 0755: expected 0700 (only you); run chmod 700 /home/u/.local/state/orch/logs"
 * ```
 */
export function privacyRefusal(paths: OrchPaths, uid: number): string | null {
  const layers: (() => string[])[] = [
    () => [paths.home, dirname(paths.apiSocket), dirname(paths.tmuxSocket)],
    () => [paths.logsDir, paths.runDir, paths.workersDir],
    () => [paths.db, ...["-wal", "-shm", "-journal"].map((s) => paths.db + s), ...filesIn(paths.logsDir)],
  ];
  const seen = new Set<string>();
  try {
    for (const layer of layers) {
      const fresh = layer().filter((p) => !seen.has(p) && seen.add(p));
      const facts: PathFacts[] = pathFacts(fresh);
      const problem = privacyProblem(facts, uid);
      if (problem) return problem;
    }
  } catch (e) {
    return `cannot check that ${paths.home} is private: ${errorMessage(e)}`;
  }
  return null;
}

/**
 * Why the controller must not start as `uid` with `config` on `paths`, or null: root without
 * `allowRoot` outside a sandbox first, then {@link privacyRefusal}.
 *
 * @example
 * ```ts
 * startRefusal(orchPaths(home), config, process.getuid!(), inSandbox(process.env)); // null, or the line to print
 * ```
 */
export function startRefusal(
  paths: OrchPaths,
  config: Pick<Config, "allowRoot">,
  uid: number,
  sandbox: boolean,
): string | null {
  return rootRefusal(uid, config.allowRoot, sandbox) ?? privacyRefusal(paths, uid);
}

/** This process's uid (-1 where there is none). */
export function currentUid(): number {
  return process.getuid?.() ?? -1;
}

/**
 * {@link startRefusal} for `orch start`, before it spawns the controller: reads the config
 * under `home` and `env`. A config that does not load is left for the controller to report
 * (null here).
 *
 * @example
 * ```ts
 * const why = startPreflight(ctx.home, process.env);
 * if (why) throw new CliError(why, EXIT.unavailable);
 * ```
 */
export function startPreflight(
  home: string,
  env: Record<string, string | undefined>,
  uid = currentUid(),
): string | null {
  const paths = orchPaths(home);
  const cfg = loadConfig(paths.config, env);
  return cfg.ok ? startRefusal(paths, cfg.value, uid, inSandbox(env)) : null;
}
