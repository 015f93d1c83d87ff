/**
 * What every contender runs, so the three measure the same thing: the task text, orch's
 * markers, the shell plugin's bash startup, and a private tmux server for raw and naive.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../src/core/domain/config.ts";
import type { MarkerSpec } from "../src/core/plugin/contract.ts";
import { makeStartupContext } from "../src/core/plugin/startup-context.ts";
import { shellPlugin } from "../src/plugins/shell/index.ts";

/** orch's default markers (the start prefix is the controller's constant). */
export const MARKERS: MarkerSpec = {
  startPrefix: "---START-OF-OUTPUT-",
  endPrefix: DEFAULT_CONFIG.endMarkerPrefix,
  suffix: DEFAULT_CONFIG.endMarkerSuffix,
};

/** Pane size orch uses; raw and naive use the same. */
export const PANE = { width: DEFAULT_CONFIG.paneWidth, height: DEFAULT_CONFIG.paneHeight };

/**
 * A short task whose last output is the moment it finished, `T=<seconds.micros>`, printed
 * right before the framing prints the end marker.
 *
 * @example
 * taskText(7); // 'echo task-7; echo "T=$EPOCHREALTIME"'
 */
export function taskText(i: number): string {
  return `echo task-${i}; echo "T=$EPOCHREALTIME"`;
}

const STAMP = /T=(\d+)[.,](\d{6})/g;

/**
 * The last `T=` stamp in a task's output, as epoch milliseconds, or null.
 *
 * @example
 * stampMs("task-1\nT=1732406400.123456\n"); // 1732406400123.456
 */
export function stampMs(text: string): number | null {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(STAMP)) last = m;
  if (!last) return null;
  return Number(last[1]) * 1000 + Number(last[2]) / 1000;
}

/**
 * Splits `total` tasks over `workers` as evenly as possible.
 *
 * @example
 * split(10, 4); // [3, 3, 2, 2]
 */
export function split(total: number, workers: number): number[] {
  return Array.from(
    { length: workers },
    (_, w) => Math.floor(total / workers) + (w < total % workers ? 1 : 0),
  );
}

/** bash started exactly as the shell plugin starts it (same argv, rcfile and ready rule). */
export interface ShellStart {
  argv: string[];
  env: Record<string, string>;
  ready: RegExp;
}

/** Writes the shell plugin's seed files for `name` under `dir` and returns how to start bash. */
export function shellStart(dir: string, name: string, project: string): ShellStart {
  const dataDir = join(dir, "workers", name);
  const spec = shellPlugin().startup(makeStartupContext({ workerName: name, project, dataDir }));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const f of spec.files ?? []) {
    writeFileSync(f.path.startsWith("/") ? f.path : join(dataDir, f.path), f.content ?? "", {
      mode: f.mode ?? 0o600,
    });
  }
  if (!spec.ready) throw new Error("the shell plugin has no ready pattern");
  return { argv: spec.argv, env: spec.env ?? {}, ready: spec.ready };
}

/** A private temp directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A tmux server on a private socket with a session whose window 0 just sleeps. */
export interface PrivateTmux {
  socket: string;
  session: string;
  /** Kills the server by its socket (never by process name). */
  kill(): void;
}

/** Starts tmux on `dir/tmux.sock` with orch's relevant server options. */
export function startPrivateTmux(dir: string): PrivateTmux {
  const socket = join(dir, "tmux.sock");
  const conf = join(dir, "tmux.conf");
  writeFileSync(
    conf,
    [
      "set-option -s escape-time 0",
      "set-option -g history-limit 50000",
      `set-option -g default-size ${PANE.width}x${PANE.height}`,
      "set-option -g automatic-rename off",
      "",
    ].join("\n"),
  );
  const session = "bench";
  const r = Bun.spawnSync([
    "tmux",
    "-S",
    socket,
    "-f",
    conf,
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    String(PANE.width),
    "-y",
    String(PANE.height),
    "--",
    "sleep",
    "86400",
  ]);
  if (r.exitCode !== 0) throw new Error(`tmux new-session failed: ${r.stderr.toString()}`);
  return {
    socket,
    session,
    kill: () => void Bun.spawnSync(["tmux", "-S", socket, "kill-server"]),
  };
}

/**
 * The tmux arguments (after `tmux -S SOCKET`) that open a window running an orch-configured
 * shell in `dir`, printing its pane id: how the raw references start their shells.
 */
export function shellWindowArgs(server: PrivateTmux, dir: string, name: string): string[] {
  const sh = shellStart(dir, name, dir);
  const env = Object.entries(sh.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  const target = `${server.session}:`;
  return ["new-window", "-d", "-P", "-F", "#{pane_id}", "-t", target, "-c", dir, ...env, "--", ...sh.argv];
}
