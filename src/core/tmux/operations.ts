import type { ControlClient } from "./control-client.ts";
import { PANE_FORMAT, parsePaneLines } from "./pane-list.ts";
import type { PaneOps, PaneTag } from "./pane-ops.ts";
import { formatLiteral, quoteArg, shellQuote, tmuxCommand } from "./quote.ts";

/** A pane as `list-panes` reports it, with orch's pane option. */
export interface PaneInfo {
  paneId: string;
  windowId: string;
  windowName: string;
  pid: number;
  dead: boolean;
  deadStatus: number | null;
  /** The signal that killed its process (tmux 3.3+; "9", or a name on some systems), or null. */
  deadSignal: string | null;
  /** Value of the `@orch_worker` pane option, or null. */
  workerId: string | null;
  /** Value of the `@orch_sent` pane option (the last task typed and submitted), or null if unset. */
  sent: string | null;
  /** Whether a pipe-pane is open on it. */
  piped: boolean;
  /**
   * Whether its pipe is orch's log filter given the log's name (`@orch_log`), which follows a
   * rename of the log by itself: a rotation then needs no new pipe. False for a raw `cat` pipe
   * and for one an older orch opened (`>> LOG`).
   */
  logFollowsRename?: boolean;
  /** The directory its program was started in (`pane_start_path`), when tmux says. */
  startPath?: string;
}

export interface NewWindowOptions {
  name: string;
  cwd: string;
  argv: string[];
  env?: Record<string, string>;
}

/** Largest text sent with one `send-keys -l`; longer or multi-line text goes through a paste buffer. */
const SEND_KEYS_MAX = 1024;
/** The pane option that marks a log pipe following renames, and its value. */
const LOG_OPTION = "@orch_log";
const LOG_FOLLOWS = "follows-rename";
/** Chunk size of `set-buffer -a` when loading a paste buffer. */
const BUFFER_CHUNK = 64 * 1024;

/**
 * The tmux operations orch needs, as commands over one control-mode connection.
 * Every argument goes through `quoteArg`; format-expanded ones through `formatLiteral` too.
 *
 * @example
 * const ops = new TmuxOps(client, "agent-system");
 * const { paneId } = await ops.newWindow({ name: "shell-c1", cwd: "/srv/p", argv: ["bash"] });
 * await ops.paste(paneId, "echo hi");
 * await ops.sendKeys(paneId, ["Enter"]);
 */
export class TmuxOps implements PaneOps {
  private bufferSeq = 0;

  constructor(
    readonly client: ControlClient,
    readonly session: string,
  ) {}

  /** Creates a detached window running `argv` and returns its pane and window ids. */
  async newWindow(o: NewWindowOptions): Promise<{ paneId: string; windowId: string }> {
    const args = [
      "-d",
      "-P",
      "-F",
      "#{pane_id} #{window_id}",
      "-t",
      `${this.session}:`,
      "-n",
      formatLiteral(o.name),
    ];
    args.push("-c", formatLiteral(o.cwd));
    for (const [k, v] of Object.entries(o.env ?? {})) args.push("-e", `${k}=${v}`);
    args.push("--", ...execArgv(o.argv));
    const [line] = await this.client.run(tmuxCommand("new-window", ...args));
    const [paneId, windowId] = (line ?? "").split(" ");
    if (!paneId?.startsWith("%") || !windowId?.startsWith("@"))
      throw new Error(`tmux new-window answered ${JSON.stringify(line)}`);
    return { paneId, windowId };
  }

  async setPaneOption(paneId: string, key: string, value: string): Promise<void> {
    await this.client.run(tmuxCommand("set-option", "-p", "-t", paneId, key, value));
  }

  /** Types `text` literally: `send-keys -l` when short and single-line, else a paste. */
  async sendText(paneId: string, text: string): Promise<void> {
    if (text.length <= SEND_KEYS_MAX && !/[\n\r]/.test(text)) {
      await this.client.run(tmuxCommand("send-keys", "-t", paneId, "-l", "--", text));
    } else {
      await this.paste(paneId, text);
    }
  }

  /**
   * Pastes `text` into the pane through a one-use buffer: bracketed when the program asked
   * for it, LF kept as LF (`-r`). The buffer is loaded in chunks so any size works.
   */
  async paste(paneId: string, text: string, tag?: PaneTag): Promise<void> {
    const name = `orch-paste-${++this.bufferSeq}`;
    const runs: Promise<string[]>[] = [];
    for (let i = 0, end = 0; i < text.length || i === 0; i = end) {
      end = Math.min(i + BUFFER_CHUNK, text.length);
      // never between the two halves of a surrogate pair (an emoji would become two U+FFFD)
      if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1] ?? "")) end--;
      const chunk = text.slice(i, end);
      const args = i === 0 ? ["-b", name, "--", chunk] : ["-a", "-b", name, "--", chunk];
      runs.push(this.client.run(tmuxCommand("set-buffer", ...args)));
      if (end === 0) break;
    }
    const pasted = tmuxCommand("paste-buffer", "-p", "-r", "-d", "-b", name, "-t", paneId);
    runs.push(this.withTag(pasted, paneId, tag));
    await Promise.all(runs);
  }

  /** Sends named keys such as `Enter` or `C-c`. */
  async sendKeys(paneId: string, keys: string[], tag?: PaneTag): Promise<void> {
    await this.withTag(tmuxCommand("send-keys", "-t", paneId, ...keys), paneId, tag);
  }

  /** Runs `command`, and with `tag`, sets that pane option in the same command list. */
  private withTag(command: string, paneId: string, tag: PaneTag | undefined): Promise<string[]> {
    if (!tag) return this.client.run(command);
    return this.client.runList([
      command,
      tmuxCommand("set-option", "-p", "-t", paneId, tag.option, tag.value),
    ]);
  }

  /** The pane's screen (and history with `history: true`) as text, joined wrapped lines. */
  async capture(paneId: string, opts: { history?: boolean } = {}): Promise<string> {
    const args = ["-p", "-J", "-t", paneId];
    if (opts.history) args.push("-S", "-");
    const lines = await this.client.run(tmuxCommand("capture-pane", ...args));
    return lines.join("\n");
  }

  /**
   * Appends everything the pane writes to `file`, unless a pipe is already open: raw bytes, or
   * through `filter` (argv; it gets the pane's pid as its last argument and writes stdout).
   * With `replace`, an open pipe is closed and the new one opened in the same tmux command, so
   * no output falls between them (a log rotation).
   */
  async pipeToFile(
    paneId: string,
    file: string,
    filter: string[] | null = null,
    replace = false,
  ): Promise<void> {
    const command = filter
      ? `exec ${formatLiteral(filter.map(shellQuote).join(" "))} #{pane_pid} ${formatLiteral(shellQuote(file))}`
      : `exec cat ${formatLiteral(`>> ${shellQuote(file)}`)}`;
    // the pane option says which kind of pipe it is (see PaneInfo.logFollowsRename)
    await this.client.runList([
      tmuxCommand("pipe-pane", ...(replace ? [] : ["-o"]), "-t", paneId, command),
      filter
        ? tmuxCommand("set-option", "-p", "-t", paneId, LOG_OPTION, LOG_FOLLOWS)
        : tmuxCommand("set-option", "-p", "-u", "-t", paneId, LOG_OPTION),
    ]);
  }

  async closePipe(paneId: string): Promise<void> {
    await this.client.run(tmuxCommand("pipe-pane", "-t", paneId));
  }

  async killWindow(windowOrPaneId: string): Promise<void> {
    await this.client.run(tmuxCommand("kill-window", "-t", windowOrPaneId));
  }

  async respawnPane(paneId: string, o: Omit<NewWindowOptions, "name">): Promise<void> {
    const args = ["-k", "-t", paneId, "-c", formatLiteral(o.cwd)];
    for (const [k, v] of Object.entries(o.env ?? {})) args.push("-e", `${k}=${v}`);
    await this.client.run(tmuxCommand("respawn-pane", ...args, "--", ...execArgv(o.argv)));
  }

  /** All panes of the session with their orch worker id. */
  async listPanes(): Promise<PaneInfo[]> {
    const lines = await this.client.run(
      tmuxCommand("list-panes", "-s", "-t", `${this.session}:`, "-F", PANE_FORMAT),
    );
    return parsePaneLines(lines);
  }

  /**
   * Subscribes this control client to `format` for every pane of the session: tmux checks it
   * about once a second and sends a `subscription-changed` notification named `name` when a
   * pane's value changes.
   */
  async subscribePanes(name: string, format: string): Promise<void> {
    await this.client.run(tmuxCommand("refresh-client", "-B", `${name}:%*:${format}`));
  }

  /**
   * Turns on control-mode flow control: tmux pauses a pane's output to this client (`%pause`)
   * once it is `seconds` behind on it, drops what it held for it, and goes on reading the pane
   * at full speed (instead of slowing every pane down to this client's pace).
   */
  async setPauseAfter(seconds: number): Promise<void> {
    await this.client.run(tmuxCommand("refresh-client", "-f", `pause-after=${seconds}`));
  }

  /** Resumes a paused pane's output to this client, from what the pane writes next. */
  async continuePane(paneId: string): Promise<void> {
    await this.client.run(tmuxCommand("refresh-client", "-A", `${paneId}:continue`));
  }

  /** Sets the size the control client reports, which the session's windows follow. */
  async setClientSize(width: number, height: number): Promise<void> {
    await this.client.run(tmuxCommand("refresh-client", "-C", `${width}x${height}`));
  }
}

export { quoteArg };

/**
 * argv as tmux must get it to run the program itself: tmux hands a command of one word to
 * `sh -c`, so a one-word path with `$(...)` or spaces in it would be shell text. It runs
 * through `sh -c 'exec "$0"' PATH` instead, which passes the path as data.
 */
export function execArgv(argv: string[]): string[] {
  return argv.length === 1 ? ["sh", "-c", 'exec "$0"', argv[0]!] : argv;
}
