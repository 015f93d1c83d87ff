/**
 * Records the control-mode transcripts in tests/fixtures/control/ from a real tmux (3.3a when
 * they were made). Rerun after a tmux upgrade and review the diff:
 *
 *   bun tests/unit/tmux/record-fixtures.ts
 *
 * Each scenario starts a private server on a temp socket, attaches `tmux -u -C`, sends
 * commands, waits for conditions (never fixed sleeps, except where a scenario must let tmux's
 * buffer age), and saves every byte the client printed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatLiteral, shellQuote, tmuxCommand } from "../../../src/core/tmux/quote.ts";
import { ControlClient, TmuxServer } from "./harness.ts";

export const FIXTURE_DIR = join(import.meta.dir, "../../fixtures/control");

/** What the pane in `pane-output.txt` prints (the tty turns each LF into CRLF). */
export const PANE_TEXT = [
  "plain ascii",
  "tab:\there\tand\tthere",
  "backslashes: \\ \\\\ \\015 C:\\path\\",
  "crlf line\r",
  "\x1b[1;31mred\x1b[0m \x1b]0;title\x07 bell\x07 \x1b[2J\x1b[H",
  "utf8: é ü ß 中文字 日本語 한국어 😀 👩‍💻 🇩🇪",
  "%end 1 2 1",
  "%output %9 looks like protocol",
  `${"中".repeat(1500)}😀${"é".repeat(600)}`,
  "DONE-MARKER",
].join("\n");

const textOf = (c: ControlClient, paneId: string): string => {
  const parts = c.messages.flatMap((m) => (m.kind === "output" && m.paneId === paneId ? [m.data] : []));
  return new TextDecoder().decode(Buffer.concat(parts));
};
const outputPanes = (c: ControlClient): string[] => [
  ...new Set(c.messages.flatMap((m) => (m.kind === "output" ? [m.paneId] : []))),
];
const events = (c: ControlClient, type: string): number =>
  c.messages.filter((m) => m.kind === "notification" && m.event.type === type).length;

type Scenario = (server: TmuxServer, client: ControlClient) => Promise<void>;

const scenarios: Record<string, Scenario> = {
  /** Pane output (UTF-8, tabs, backslashes, CRLF, ESC, a long CJK run) and %-lines in responses. */
  "pane-output": async (_s, c) => {
    await c.command(tmuxCommand("list-panes", "-a", "-F", "#{pane_id} #{window_id} #{session_name}"));
    await c.command(tmuxCommand("display-message", "-p", "é中😀 tab:\there #{session_name}"));
    const script = `printf '%s\\n' ${shellQuote(PANE_TEXT)}; exec sleep 100000`;
    await c.command(tmuxCommand("new-window", "-d", "-n", "out", script));
    await c.waitFor(() => outputPanes(c).some((p) => textOf(c, p).includes("DONE-MARKER")), "DONE-MARKER");
    await c.command(tmuxCommand("capture-pane", "-p", "-t", "out", "-S", "0", "-E", "9"));
    await c.command(tmuxCommand("set-buffer", "-b", "b1", "--", "line1\nline2\t$x \\ \x01"));
    await c.command(tmuxCommand("show-buffer", "-b", "b1"));
    c.send("kill-server");
    await c.waitFor(() => events(c, "exit") > 0, "%exit");
  },

  /** Failing commands, multi-line errors, and response lines that imitate the protocol. */
  errors: async (_s, c) => {
    await c.command("bogus-cmd");
    await c.command(tmuxCommand("kill-window", "-t", "nosuch"));
    await c.command(tmuxCommand("source-file", "/nonexistent/orch.conf"));
    await c.command('set-buffer "unterminated');
    await c.command(tmuxCommand("display-message", "-p", "%%end 1 2 1"));
    await c.command(tmuxCommand("display-message", "-p", "%%begin 1 2 1"));
    await c.command(tmuxCommand("display-message", "-p", "%%output %%0 not output"));
    await c.command(tmuxCommand("display-message", "-p", "%%exit"));
    await c.command(tmuxCommand("display-message", "a message without -p"));
    await c.command(
      `${tmuxCommand("display-message", "-p", "one")} ; ${tmuxCommand("display-message", "-p", "two")}`,
    );
    await c.command(tmuxCommand("display-message", "-p", "ok"));
    c.send("detach-client");
    await c.waitFor(() => events(c, "exit") > 0, "%exit");
  },

  /** Window and session life: add, rename, layout, mode, close, other session, %exit. */
  windows: async (_s, c) => {
    await c.command(tmuxCommand("new-window", "-n", "w2"));
    await c.command(tmuxCommand("rename-window", "-t", "w2", formatLiteral('ré #1 ; "x"')));
    await c.command(tmuxCommand("split-window", "-t", 'ré #1 ; "x"'));
    await c.command(tmuxCommand("select-layout", "-t", 'ré #1 ; "x"', "even-horizontal"));
    await c.command(tmuxCommand("copy-mode", "-t", 'ré #1 ; "x"'));
    await c.command(tmuxCommand("send-keys", "-t", 'ré #1 ; "x"', "-X", "cancel"));
    await c.command(tmuxCommand("kill-window", "-t", 'ré #1 ; "x"'));
    await c.command(tmuxCommand("new-window", "-d", "-n", "short", "exit 0"));
    await c.waitFor(() => events(c, "unlinked-window-close") + events(c, "window-close") >= 2, "short exits");
    await c.command(tmuxCommand("new-session", "-d", "-s", "other"));
    await c.command(tmuxCommand("switch-client", "-t", "other"));
    await c.command(tmuxCommand("rename-session", "-t", "other", "autre é"));
    await c.command(tmuxCommand("set-buffer", "-b", "orch", "x"));
    await c.command(tmuxCommand("delete-buffer", "-b", "orch"));
    await c.command(tmuxCommand("kill-session", "-t", "autre é"));
    await c.waitFor(() => events(c, "exit") > 0, "%exit");
  },

  /** Flow control: pause-after gives %extended-output; refresh-client -A pauses and continues. */
  "flow-control": async (_s, c) => {
    await c.command(tmuxCommand("refresh-client", "-f", "pause-after=5"));
    await c.command(tmuxCommand("new-window", "-d", "-n", "fc", "printf 'first\\n'; exec cat"));
    await c.waitFor(() => outputPanes(c).some((p) => textOf(c, p).includes("first")), "first output");
    const pane = outputPanes(c)[0]!;
    await c.command(tmuxCommand("refresh-client", "-A", `${pane}:pause`));
    await c.command(tmuxCommand("send-keys", "-t", pane, "-l", "--", "typed while paused"));
    // Let the echo happen while paused (tmux drops it for this client): poll the screen.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const shot = await c.command(tmuxCommand("capture-pane", "-p", "-t", pane));
      if (shot.lines.some((l) => l.includes("typed while paused"))) break;
      if (Date.now() > deadline) throw new Error("the pane never echoed the typed text");
      await Bun.sleep(20);
    }
    await c.command(tmuxCommand("refresh-client", "-A", `${pane}:continue`));
    await c.command(tmuxCommand("send-keys", "-t", pane, "-l", "--", "after continue é"));
    await c.waitFor(() => textOf(c, pane).includes("after continue é"), "output after continue");
    c.send("kill-server");
    await c.waitFor(() => events(c, "exit") > 0, "%exit");
  },

  /** The server dies under the client: `%exit server exited unexpectedly`. */
  "server-killed": async (s, c) => {
    await c.command(tmuxCommand("display-message", "-p", "#{session_name}"));
    const pid = Number(s.run("display-message", "-p", "#{pid}").trim());
    process.kill(pid, "SIGKILL");
    await c.waitFor(() => events(c, "exit") > 0, "%exit");
  },
};

async function record(name: string, scenario: Scenario): Promise<void> {
  const server = new TmuxServer("rec");
  const client = new ControlClient(server, "rec");
  try {
    await client.attached;
    await scenario(server, client);
    await client.close();
    writeFileSync(join(FIXTURE_DIR, `${name}.txt`), client.bytes());
    console.log(`${name}.txt: ${client.bytes().length} bytes, ${client.messages.length} messages`);
  } finally {
    server.kill();
  }
}

if (import.meta.main) {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const only = process.argv.slice(2);
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only.length === 0 || only.includes(name)) await record(name, scenario);
  }
}
