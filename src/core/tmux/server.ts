import { writeFileSync } from "node:fs";
import { execa } from "execa";
import { fail, ok, type Result } from "../domain/result.ts";
import { paneDiedReport } from "./pane-death.ts";
import { CONTROLLER_WINDOW } from "./pane-list.ts";
import { formatLiteral, shellQuote, tmuxCommand } from "./quote.ts";

const INSTALL_HINT = "install tmux 3.2 or newer (Debian/Ubuntu: apt-get install tmux)";

/**
 * Checks that tmux exists and is at least 3.2 (control-mode flow control, format
 * subscriptions) and gives its version line; a missing or old tmux is `unavailable`.
 *
 * @example
 * ```ts
 * await checkTmuxVersion(); // { ok: true, value: "tmux 3.4" }
 * ```
 */
export async function checkTmuxVersion(): Promise<Result<string>> {
  const r = await execa("tmux", ["-V"], { reject: false });
  if (r.failed || r.exitCode !== 0) return fail("unavailable", `tmux not found on PATH: ${INSTALL_HINT}`);
  const m = /tmux (?:next-)?(\d+)\.(\d+)/.exec(r.stdout);
  if (!m) {
    return fail(
      "unavailable",
      `cannot read the tmux version from ${JSON.stringify(r.stdout)}: ${INSTALL_HINT}`,
    );
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major < 3 || (major === 3 && minor < 2)) {
    return fail("unavailable", `${r.stdout.trim()} is too old: ${INSTALL_HINT}`);
  }
  return ok(r.stdout.trim());
}

export interface ServerSpec {
  socket: string;
  session: string;
  configFile: string;
  /** File the pane-died hook appends `pane-died PANE STATUS SIGNAL` lines to (pane-death.ts). */
  eventsFile: string;
  historyLimit: number;
  width: number;
  height: number;
  /** Directory and argv of window 0 (the controller's live view). */
  controllerCwd: string;
  controllerArgv: string[];
}

/**
 * The options orch's server runs with (set before any agent's pane exists): in the config
 * file locally, sent through the control channel on a host reached over ssh.
 */
export function serverOptions(spec: Pick<ServerSpec, "historyLimit" | "width" | "height">): string[] {
  return [
    tmuxCommand("set-option", "-g", "remain-on-exit", "on"),
    tmuxCommand("set-option", "-g", "history-limit", String(spec.historyLimit)),
    tmuxCommand("set-option", "-s", "focus-events", "on"),
    tmuxCommand("set-option", "-s", "escape-time", "0"),
    tmuxCommand("set-option", "-g", "default-size", `${spec.width}x${spec.height}`),
    tmuxCommand("set-option", "-g", "automatic-rename", "off"),
    tmuxCommand("set-option", "-g", "allow-rename", "off"),
  ];
}

/** The tmux config orch's server starts with: options set before any pane exists, and the hooks. */
export function serverConfig(spec: ServerSpec): string {
  const report = paneDiedReport(shellQuote(formatLiteral(spec.eventsFile)));
  const hook = tmuxCommand("run-shell", "-b", report);
  return [...serverOptions(spec), tmuxCommand("set-hook", "-g", "pane-died", hook), ""].join("\n");
}

/** Whether the session exists on the server at `socket`. */
export async function hasSession(socket: string, session: string): Promise<boolean> {
  const r = await execa("tmux", ["-S", socket, "has-session", "-t", `=${session}`], { reject: false });
  return r.exitCode === 0;
}

/**
 * Starts the tmux server on the private socket with orch's config and the session whose
 * window 0 is the controller's view; idempotent (an existing session is kept, its options
 * refreshed).
 */
export async function ensureServer(spec: ServerSpec): Promise<{ created: boolean }> {
  writeFileSync(spec.configFile, serverConfig(spec), { mode: 0o600 });
  if (await hasSession(spec.socket, spec.session)) {
    await execa("tmux", ["-S", spec.socket, "source-file", spec.configFile], { reject: false });
    return { created: false };
  }
  const r = await execa(
    "tmux",
    [
      "-u",
      "-S",
      spec.socket,
      "-f",
      spec.configFile,
      "new-session",
      "-d",
      "-s",
      spec.session,
      "-n",
      CONTROLLER_WINDOW,
      "-x",
      String(spec.width),
      "-y",
      String(spec.height),
      "-c",
      spec.controllerCwd,
      "--",
      ...spec.controllerArgv,
    ],
    { reject: false },
  );
  if (r.exitCode !== 0 && !(await hasSession(spec.socket, spec.session))) {
    throw new Error(`cannot start tmux on ${spec.socket}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  }
  return { created: r.exitCode === 0 };
}

/** Kills the whole tmux server on `socket` (all agents with it). */
export async function killServer(socket: string): Promise<void> {
  await execa("tmux", ["-S", socket, "kill-server"], { reject: false });
}
