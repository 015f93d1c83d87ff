import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import { type ProcInfo, snapshotProcesses } from "../runtime/proc-tree.ts";
import { wrongPathKind } from "../store/path-kind.ts";
import { type OrchPaths, workerDataDir, workerLogPath } from "./paths.ts";

/** A file to put where a worker's agent runs: its path there (absolute), bytes and mode. */
export interface PlacedFile {
  path: string;
  content: string;
  mode: number;
}

/**
 * Where a host keeps what orch puts next to a worker's agent (its seeded files, its pane log,
 * the mask filter the log is written through), and how it gets there and back. This machine
 * keeps them under ORCH_HOME; a host reached over ssh under a directory of its own, written
 * and read through the ssh connection.
 */
export interface HostPlace {
  /** The worker's data directory on the host (the plugin's StartupContext.dataDir). */
  dataDir(worker: string): string;
  /** The worker's pane log on the host. */
  logFile(worker: string): string;
  /** The mask filter's argv on the host, from the one masking gives for this machine (null: raw). */
  filter(local: string[] | null): string[] | null;
  /** Why `path` is not a directory on the host (it is missing, or a file), or null when it is one. */
  checkDir(path: string): Promise<string | null>;
  /** Writes files on the host (directories made private). */
  writeFiles(files: PlacedFile[]): Promise<Result<void>>;
  /** A file's text on the host; null when there is no such file. */
  readFile(path: string): Promise<Result<string | null>>;
  /** The HOME agents run with on the host; null: this machine's. */
  agentHome(): string | null;
  /**
   * The argv an agent's hook on the host runs to tell the controller of an event (the payload
   * on stdin or as a last argument); null: orch's own `orch hook`.
   */
  hookArgv(worker: string): ((event: string) => string[]) | null;
  /**
   * Brings this machine's copy of the worker's pane log (workerLogPath) up to date with the
   * host's; resolves at once where the log is on this machine.
   */
  pullLog(worker: string): Promise<void>;
  /** Every process on the host (one read of its /proc), for the per-worker resource limits. */
  processes(): Promise<Map<number, ProcInfo>>;
  /** The size of each worker's pane log on a host over ssh (for rotation); empty here (LogRotation's). */
  logSizes(): Promise<Map<string, number>>;
  /** Moves the worker's pane log on the host to its `.1` (replacing the one before). */
  rotateLog(worker: string): Promise<Result<void>>;
}

/** This machine: everything under ORCH_HOME. */
export function localPlace(paths: OrchPaths): HostPlace {
  return {
    dataDir: (w) => workerDataDir(paths, w),
    logFile: (w) => workerLogPath(paths, w),
    filter: (f) => f,
    checkDir: (p) => Promise.resolve(wrongPathKind("project directory", p, "directory", p)),
    async writeFiles(files) {
      try {
        for (const f of files) {
          mkdirSync(dirname(f.path), { recursive: true, mode: 0o700 });
          writeFileSync(f.path, f.content, { mode: f.mode });
        }
        return ok(undefined);
      } catch (e) {
        return fail("unavailable", errorMessage(e));
      }
    },
    async readFile(path) {
      try {
        return ok(existsSync(path) ? readFileSync(path, "utf8") : null);
      } catch (e) {
        return fail("unavailable", `cannot read ${path}: ${errorMessage(e)}`);
      }
    },
    agentHome: () => null,
    hookArgv: () => null,
    pullLog: () => Promise.resolve(),
    processes: async () => snapshotProcesses(),
    logSizes: async () => new Map(),
    rotateLog: () => Promise.resolve(fail("bad_input", "this machine's logs are rotated by LogRotation")),
  };
}
