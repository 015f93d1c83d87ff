/**
 * Records what the real agent CLIs show in a tmux pane, as fixtures for the plugin contract
 * tests: `tests/fixtures/screens/<kind>/<state>.txt` and the hook payloads in
 * `tests/fixtures/hooks/`. Re-run after bumping a pinned version:
 *
 *   bun tests/helpers/record-screens.ts [claude|codex ...] [--keep]
 *
 * Each agent runs interactively in a private tmux server (`tmux -S <tmp>/sock -f /dev/null`,
 * 120x40, `focus-events on`) in a throwaway HOME, against the fake model API
 * (tests/helpers/fake-model-api.ts). Prompts are pasted with `load-buffer` + `paste-buffer -p`
 * and submitted with a separate Enter 300 ms later. Screens are `capture-pane -p -J` with the
 * trailing spaces of each line removed (the 40 rows are kept). `--keep` leaves the temp
 * directory (requests.json, hook logs) in place for inspection.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type AgentKind,
  agentEnv,
  agentVersion,
  ensureAgentCli,
  killAgentProcesses,
  writeAgentFiles,
} from "./agent-cli.ts";
import { defaultScript, type FakeModelApi, type ReplyScript, startFakeModelApi } from "./fake-model-api.ts";

const ROOT = resolve(import.meta.dir, "../..");
export const SCREENS_DIR = join(ROOT, "tests", "fixtures", "screens");
export const HOOKS_DIR = join(ROOT, "tests", "fixtures", "hooks");

/** One pane in a private tmux server. Every wait has a deadline and says what it waited for. */
export class TmuxPane {
  readonly sock: string;
  private serverPid = 0;

  constructor(
    readonly dir: string,
    readonly target = "rec",
  ) {
    this.sock = join(dir, "sock");
  }

  /** Starts the server and the pane running `argv` (no shell) with exactly `env`. */
  start(argv: string[], env: Record<string, string>, cwd: string, cols = 120, rows = 40): void {
    execFileSync(
      "tmux",
      [
        "-S",
        this.sock,
        "-f",
        "/dev/null",
        "start-server",
        ";",
        "set",
        "-g",
        "focus-events",
        "on",
        ";",
        "set",
        "-g",
        "history-limit",
        "5000",
        ";",
        "new-session",
        "-d",
        "-x",
        String(cols),
        "-y",
        String(rows),
        "-s",
        this.target,
        "-c",
        cwd,
        "--",
        ...argv,
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.serverPid = Number(this.tmux(["display", "-p", "-t", this.target, "#{pid}"]).trim());
  }

  tmux(args: string[], input?: string): string {
    return execFileSync("tmux", ["-S", this.sock, ...args], {
      input,
      encoding: "utf8",
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
  }

  panePid(): number {
    return Number(this.tmux(["display", "-p", "-t", this.target, "#{pane_pid}"]).trim());
  }

  /** `capture-pane -p -J`, trailing spaces of each line removed. */
  capture(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-t", this.target])
      .split("\n")
      .map((l) => l.trimEnd())
      .join("\n");
  }

  /** Pastes `text` as one bracketed paste, then Enter after `enterDelayMs`. */
  async paste(text: string, enterDelayMs = 300): Promise<void> {
    this.tmux(["load-buffer", "-b", "orch-rec", "-"], text);
    this.tmux(["paste-buffer", "-p", "-d", "-b", "orch-rec", "-t", this.target]);
    await Bun.sleep(enterDelayMs);
    this.keys("Enter");
  }

  keys(...keys: string[]): void {
    this.tmux(["send-keys", "-t", this.target, ...keys]);
  }

  /** Polls the screen until `pred` holds; returns that screen. */
  async waitFor(pred: (screen: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = "";
    for (;;) {
      screen = this.capture();
      if (pred(screen)) return screen;
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${screen}`);
      }
      await Bun.sleep(50);
    }
  }

  /** Waits until the screen has not changed for `quietMs`. */
  async settle(quietMs: number, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = this.capture();
    let since = Date.now();
    while (Date.now() < deadline) {
      await Bun.sleep(50);
      const s = this.capture();
      if (s !== last) {
        last = s;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) {
        return s;
      }
    }
    return last;
  }

  /** Kills the tmux server by its pid (the agent is killed separately, by its HOME). */
  kill(): void {
    if (!this.serverPid) return;
    try {
      process.kill(this.serverPid, "SIGTERM");
    } catch {
      // gone
    }
    this.serverPid = 0;
  }
}

/** Screen signs per agent, as recorded (see tests/fixtures/screens/README.md). */
export const SIGNS = {
  claude: {
    idle: (s: string) => /^❯/m.test(s) && s.includes("? for shortcuts") && !s.includes("esc to interrupt"),
    busy: (s: string) => s.includes("esc to interrupt"),
    permission: (s: string) => s.includes("Do you want to proceed?"),
    rateLimited: (s: string) => /API error|rate.?limit|429/i.test(s),
  },
  codex: {
    // The placeholder and "? for shortcuts" show while it is still "loading" (startup.txt): ready
    // is the status line under the prompt, "<model> <effort> · <cwd>[ · <title>]".
    idle: (s: string) =>
      s.includes("› Ask Codex to do anything") &&
      / · \//.test(s) &&
      !/^\s+loading$/m.test(s) &&
      !s.includes("esc to interrupt"),
    busy: (s: string) => s.includes("esc to interrupt"),
    permission: (s: string) => s.includes("Would you like to run the following command?"),
    rateLimited: (s: string) => /429|rate.?limit/i.test(s),
  },
} satisfies Record<AgentKind, Record<string, (s: string) => boolean>>;

export interface RecordResult {
  kind: AgentKind;
  /** ms from starting tmux to the first non-blank screen and to the idle prompt. */
  firstPaintMs: number;
  idleMs: number;
  files: string[];
  notes: string[];
}

/** Every prompt as the recorder sends it: the README quotes these. */
export const PROMPTS = {
  busy: "SLOW: 5000 REPLY: slow reply done",
  permissionClaude: "RUN: touch permission-check.txt",
  approvalCodex: (dir: string) => `ESCALATE: touch ${dir}/approval-check.txt`,
  rateLimited: "hello rate limit",
};

export async function recordScreens(kind: AgentKind, keep = false): Promise<RecordResult> {
  const bin = await ensureAgentCli(kind);
  let rateLimited = false;
  const script: ReplyScript = (ctx) =>
    rateLimited ? { kind: "error", status: 429, retryAfterSec: 1 } : defaultScript(ctx);
  const api = await startFakeModelApi(script);
  // A fixed directory (not mkdtemp) so the paths on the recorded screens stay the same between runs.
  const dir = join(tmpdir(), "orch-rec", kind);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const home = join(dir, "home");
  const project = join(dir, "proj");
  mkdirSync(home);
  mkdirSync(project);
  spawnSync("git", ["init", "-q", project]);
  const a = agentEnv(kind, { home, port: api.port, project });
  writeAgentFiles(a);

  const hookLog = (name: string) => join(dir, `hook-${name}.jsonl`);
  const args: string[] = [];
  if (kind === "claude") {
    // Hooks through --settings (not ~/.claude/settings.json): proves the flag carries hooks.
    const hook = (name: string) => ({
      hooks: [{ type: "command", command: `cat >> '${hookLog(name)}'; echo >> '${hookLog(name)}'` }],
    });
    const settings = {
      hooks: Object.fromEntries(
        ["Stop", "UserPromptSubmit", "Notification", "SessionStart"].map((n) => [n, [hook(n)]]),
      ),
    };
    writeFileSync(join(dir, "hooks-settings.json"), JSON.stringify(settings, null, 2));
    // the permission mode orch passes (Claude Code's own default became "auto" in 2.1.3xx)
    args.push("--settings", join(dir, "hooks-settings.json"), "--permission-mode", "default");
  } else {
    const notify = join(dir, "notify.sh");
    writeFileSync(
      notify,
      `#!/bin/sh\n# codex appends the event JSON as the last argument\nfor last; do :; done\nprintf '%s\\n' "$last" >> '${hookLog("notify")}'\n`,
    );
    chmodSync(notify, 0o755);
    const cfg = a.files.find((f) => f.path.endsWith("config.toml"))!;
    // notify is a top-level key: it must come before the first [table].
    writeFileSync(cfg.path, `notify = [${JSON.stringify(notify)}]\n${cfg.content}`);
  }

  const pane = new TmuxPane(dir);
  const signs = SIGNS[kind];
  const out = join(SCREENS_DIR, kind);
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  const notes: string[] = [];
  const save = (name: string, screen: string) => {
    const p = join(out, `${name}.txt`);
    writeFileSync(p, screen.endsWith("\n") ? screen : `${screen}\n`);
    files.push(p);
  };
  /** Enter once more when the prompt did not reach the model (agents.md: retry Enter once). */
  const submit = async (text: string, delivered: () => boolean, into = pane) => {
    await into.paste(text);
    const deadline = Date.now() + 3000;
    while (!delivered() && Date.now() < deadline) await Bun.sleep(50);
    if (!delivered()) {
      notes.push(`Enter re-sent for ${JSON.stringify(text)}`);
      into.keys("Enter");
    }
  };
  const mainCount = () => api.modelRequests(true).length;

  try {
    const t0 = performance.now();
    pane.start([bin, ...args], a.env, project);
    // startup: the first non-blank screen
    const first = await pane.waitFor((s) => s.trim() !== "", 30_000, `${kind}: first paint`);
    const firstPaintMs = Math.round(performance.now() - t0);
    save("startup", first);
    if (signs.idle(first)) notes.push("startup: the first non-blank screen already was the idle prompt");

    // idle
    await pane.waitFor(signs.idle, 60_000, `${kind}: idle prompt`);
    const idleMs = Math.round(performance.now() - t0);
    save("idle", await pane.settle(1000, 10_000));

    // busy, then done
    let n = mainCount();
    await submit(PROMPTS.busy, () => mainCount() > n);
    await pane.waitFor(signs.busy, 10_000, `${kind}: busy sign`);
    await Bun.sleep(2000);
    save("busy", pane.capture());
    await pane.waitFor(
      (s) => s.includes("slow reply done") && signs.idle(s) && !signs.busy(s),
      20_000,
      `${kind}: the reply, back to idle`,
    );
    save("done", await pane.settle(1000, 10_000));

    // permission (claude) / approval (codex)
    n = mainCount();
    const permPrompt = kind === "claude" ? PROMPTS.permissionClaude : PROMPTS.approvalCodex(dir);
    await submit(permPrompt, () => mainCount() > n);
    await pane.waitFor(signs.permission, 20_000, `${kind}: permission prompt`);
    if (kind === "claude") {
      // The Notification hook (permission_prompt) fires ~6 s after the prompt shows.
      const deadline = Date.now() + 20_000;
      while (!existsSync(hookLog("Notification")) && Date.now() < deadline) await Bun.sleep(100);
      if (!existsSync(hookLog("Notification")))
        notes.push("no Notification hook within 20 s of the permission prompt");
    }
    save(kind === "claude" ? "permission" : "approval", await pane.settle(500, 5000));
    pane.keys("Enter"); // option 1: Yes
    await pane.waitFor(
      (s) => /DONE:/.test(s) && signs.idle(s) && !signs.permission(s),
      20_000,
      `${kind}: tool ran after approval`,
    );
    await pane.settle(500, 5000);

    // rate limited: every main request answers HTTP 429 with retry-after
    rateLimited = true;
    n = mainCount();
    await submit(PROMPTS.rateLimited, () => mainCount() > n);
    await pane.waitFor(signs.rateLimited, 30_000, `${kind}: rate-limit screen`);
    if (kind === "claude") {
      // claude retries (up to 10 times, exponential backoff): capture while it is retrying.
      await pane.waitFor((s) => /attempt [2-9]/.test(s), 30_000, "claude: a retry attempt");
    }
    save("rate_limited", await pane.settle(300, 3000));
    if (kind === "claude") {
      pane.keys("Escape");
      await pane.waitFor((s) => !signs.busy(s), 10_000, "claude: not busy after Esc");
      // The idle screen in another permission mode: the footer names the mode, no "? for shortcuts".
      const paneAuto = new TmuxPane(join(dir, "auto"));
      mkdirSync(paneAuto.dir);
      try {
        const autoArgs = args.map((a) => (a === "default" ? "auto" : a));
        paneAuto.start([bin, ...autoArgs], a.env, project);
        await paneAuto.waitFor(
          (s) => /^❯/m.test(s) && /auto mode on/.test(s) && !signs.busy(s),
          60_000,
          "claude (auto mode): idle prompt",
        );
        save("idle_auto", await paneAuto.settle(1000, 10_000));
      } finally {
        paneAuto.kill();
      }
      // What it shows once it gives up: a second claude with CLAUDE_CODE_MAX_RETRIES=1.
      const pane2 = new TmuxPane(join(dir, "giveup"));
      mkdirSync(pane2.dir);
      try {
        pane2.start([bin, ...args], { ...a.env, CLAUDE_CODE_MAX_RETRIES: "1" }, project);
        await pane2.waitFor(signs.idle, 60_000, "claude (max retries 1): idle prompt");
        n = mainCount();
        await submit(PROMPTS.rateLimited, () => mainCount() > n, pane2);
        await pane2.waitFor((s) => /API Error/.test(s) && !signs.busy(s), 30_000, "claude: gave up on 429");
        save("rate_limited_final", await pane2.settle(500, 5000));
      } finally {
        pane2.kill();
      }
    }
    rateLimited = false;

    await recordHooks(kind, hookLog, notes);
    if (keep) dumpRequests(api, dir);
    return { kind, firstPaintMs, idleMs, files, notes };
  } catch (e) {
    dumpRequests(api, dir);
    try {
      writeFileSync(join(dir, "last-screen.txt"), pane.capture());
    } catch {
      // no pane
    }
    keep = true;
    throw new Error(`${(e as Error).message}\n(kept ${dir})`);
  } finally {
    await killAgentProcesses(home);
    pane.kill();
    await api.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function dumpRequests(api: FakeModelApi, dir: string): void {
  writeFileSync(join(dir, "requests.json"), JSON.stringify(api.requests, null, 1));
}

async function recordHooks(kind: AgentKind, hookLog: (n: string) => string, notes: string[]): Promise<void> {
  mkdirSync(HOOKS_DIR, { recursive: true });
  type Payload = Record<string, unknown>;
  const all = (name: string): Payload[] => {
    const p = hookLog(name);
    if (!existsSync(p)) return [];
    return readFileSync(p, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Payload);
  };
  // codex's notify also fires for the session-title "turn" it runs in a thread of its own.
  const isTitleTurn = (v: Payload) =>
    Array.isArray(v["input-messages"]) && String(v["input-messages"][0]).startsWith("Generate a concise");
  const pairs: [string, string, (v: Payload) => boolean][] =
    kind === "claude"
      ? [
          ["Stop", "claude-stop.json", () => true],
          ["UserPromptSubmit", "claude-user-prompt-submit.json", () => true],
          ["Notification", "claude-notification.json", () => true],
          ["SessionStart", "claude-session-start.json", () => true],
        ]
      : [
          ["notify", "codex-notify.json", (v) => !isTitleTurn(v)],
          ["notify", "codex-notify-title.json", isTitleTurn],
        ];
  for (const [name, file, pick] of pairs) {
    // hooks run asynchronously to the screen: give the last one a moment
    const deadline = Date.now() + 5000;
    let v = all(name).find(pick) ?? null;
    while (v === null && Date.now() < deadline) {
      await Bun.sleep(100);
      v = all(name).find(pick) ?? null;
    }
    if (v === null) {
      notes.push(`no ${name} hook payload recorded for ${file}`);
      continue;
    }
    writeFileSync(join(HOOKS_DIR, file), `${JSON.stringify(v, null, 2)}\n`);
  }
  // The repository's formatter has the last word on JSON layout (`biome check .` must pass).
  const biome = join(ROOT, "node_modules", ".bin", "biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", HOOKS_DIR], { stdio: "ignore" });
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const keep = argv.includes("--keep");
  const kinds = argv.filter((a) => a === "claude" || a === "codex") as AgentKind[];
  for (const kind of kinds.length ? kinds : (["claude", "codex"] as const)) {
    const r = await recordScreens(kind, keep);
    console.log(
      `${kind} ${agentVersion(kind)}: first paint ${r.firstPaintMs} ms, idle prompt ${r.idleMs} ms; wrote ${r.files
        .map((f) => f.slice(ROOT.length + 1))
        .join(", ")}${r.notes.length ? `\n  notes: ${r.notes.join("; ")}` : ""}`,
    );
  }
}
