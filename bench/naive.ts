/**
 * Contender (b), the naive reference: what the seed's libtmux design does. Every tmux call is
 * a `tmux` process of its own (`send-keys` the command, `send-keys Enter`, `capture-pane`),
 * and completion is found by capturing the pane every 50 ms until the end marker shows up.
 */
import { randomUUID } from "node:crypto";
import { frameShellTask } from "../src/plugins/shell/index.ts";
import { nowMs, type RunResult, runResult } from "./stats.ts";
import { MARKERS, shellWindowArgs, split, stampMs, startPrivateTmux, taskText, tempDir } from "./workload.ts";

const POLL_MS = 50;

/**
 * How the naive way reaches tmux: locally every call is `tmux -S SOCKET ...`; the peers' way to
 * another host is one `ssh HOST tmux ...` per call through a ControlMaster (`argv` makes it),
 * polling less often.
 */
export interface NaiveVia {
  argv(tmuxArgs: string[]): string[];
  pollMs: number;
  contender: RunResult["contender"];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One tmux process (through `via`); resolves with its stdout, throws on a non-zero exit. */
async function tmuxVia(via: NaiveVia, socket: string, ...args: string[]): Promise<string> {
  const p = Bun.spawn(via.argv(["tmux", "-S", socket, ...args]), {
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`tmux ${args[0]} exited ${code}: ${err.trim()}`);
  return out;
}

/** Runs `total` tasks on `workers` panes (after `warmup` unmeasured tasks each) and measures them. */
export async function runNaive(
  workers: number,
  total: number,
  warmup = 1,
  via: NaiveVia = { argv: (a) => a, pollMs: POLL_MS, contender: "naive" },
): Promise<RunResult> {
  const tmp = tempDir("orch-bench-naive-");
  const server = startPrivateTmux(tmp.dir);
  const sock = server.socket;
  const tmux = (socket: string, ...args: string[]) => tmuxVia(via, socket, ...args);
  try {
    const panes: string[] = [];
    for (let i = 0; i < workers; i++) {
      const out = await tmux(sock, ...shellWindowArgs(server, tmp.dir, `naive-${i}`));
      panes.push(out.trim());
    }
    // ready: the prompt `$ ` is the last line on screen
    await Promise.all(
      panes.map(async (pane) => {
        for (let tries = 0; tries < 200; tries++) {
          const screen = await tmux(sock, "capture-pane", "-p", "-t", pane);
          if (screen.trimEnd().endsWith("$")) return;
          await Bun.sleep(via.pollMs);
        }
        throw new Error(`naive: pane ${pane} never showed its prompt`);
      }),
    );

    let seq = 0;
    // a pane whose shell has the plugin's helpers (a task ran to its end there)
    const primed = new Set<string>();
    const runTask = async (pane: string): Promise<number> => {
      const id = randomUUID();
      const end = new RegExp(`${escapeRe(`${MARKERS.endPrefix}${id}-`)}(\\d+)${escapeRe(MARKERS.suffix)}`);
      await tmux(
        sock,
        "send-keys",
        "-t",
        pane,
        "-l",
        "--",
        frameShellTask({ id, text: taskText(++seq), fresh: !primed.has(pane) }, MARKERS),
      );
      await tmux(sock, "send-keys", "-t", pane, "Enter");
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await Bun.sleep(via.pollMs);
        const screen = await tmux(sock, "capture-pane", "-p", "-J", "-t", pane);
        const m = end.exec(screen);
        if (!m) continue;
        const seen = nowMs();
        const stamp = stampMs(screen.slice(0, m.index));
        if (m[1] !== "0" || stamp === null)
          throw new Error(`naive: task on ${pane}: exit ${m[1]}, stamp ${stamp}`);
        primed.add(pane);
        return seen - stamp;
      }
      throw new Error(`naive: no end marker on ${pane} within 60 s`);
    };
    const batch = async (counts: number[]) => {
      const latencies: number[] = [];
      const start = nowMs();
      await Promise.all(
        panes.map(async (pane, i) => {
          for (let k = 0; k < (counts[i] ?? 0); k++) latencies.push(await runTask(pane));
        }),
      );
      return { start, end: nowMs(), latencies };
    };

    await batch(panes.map(() => warmup));
    const r = await batch(split(total, workers));
    return runResult(via.contender, workers, total, r.start, r.end, r.latencies);
  } finally {
    server.kill();
    tmp.remove();
  }
}
