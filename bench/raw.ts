/**
 * Contender (a), the raw limit: one loop driving `tmux -C` directly, no orch in between.
 * bash panes are started like the shell plugin starts them, tasks are framed and pasted the
 * way orch pastes them (set-buffer + paste-buffer -p -r + send-keys Enter), and completion is
 * the end marker seen in the `%output` stream. After a marker the pane gets its next task once
 * the prompt is back (the plugin's ready pattern), as orch does.
 */
import { randomUUID } from "node:crypto";
import { ControlParser } from "../src/core/tmux/control-parser.ts";
import { tmuxCommand } from "../src/core/tmux/quote.ts";
import { frameShellTask } from "../src/plugins/shell/index.ts";
import { cpuMs, tmuxServerPid } from "./proc-cpu.ts";
import { nowMs, type RunResult, runResult } from "./stats.ts";
import {
  MARKERS,
  PANE,
  shellStart,
  split,
  stampMs,
  startPrivateTmux,
  taskText,
  tempDir,
} from "./workload.ts";

interface Pane {
  id: string;
  decoder: TextDecoder;
  ready: RegExp;
  /** Output since the current task was sent. */
  buf: string;
  /** Output since the last marker (or start), searched for the ready pattern. */
  readyBuf: string;
  task: { id: string; end: RegExp } | null;
  onReady: (() => void) | null;
  /** A task ran to its end here: the shell has the plugin's helpers (the frame's `fresh: false`). */
  primed: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Runs `total` tasks on `workers` panes (after `warmup` unmeasured tasks each) and measures them. */
export async function runRaw(workers: number, total: number, warmup = 1): Promise<RunResult> {
  const tmp = tempDir("orch-bench-raw-");
  const tmux = startPrivateTmux(tmp.dir);
  const proc = Bun.spawn(["tmux", "-S", tmux.socket, "-C", "attach-session", "-t", tmux.session], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const pending: Array<{ resolve: (l: string[]) => void; reject: (e: Error) => void; cmd: string }> = [];
  const panes = new Map<string, Pane>();
  const errors: string[] = [];
  const pane = (id: string): Pane => {
    let p = panes.get(id);
    if (!p) {
      p = {
        id,
        decoder: new TextDecoder(),
        ready: /$^/,
        buf: "",
        readyBuf: "",
        task: null,
        onReady: null,
        primed: false,
      };
      panes.set(id, p);
    }
    return p;
  };
  let onMarker: (p: Pane, exit: number, stamp: number | null, seen: number) => void = () => undefined;

  const send = (...cmds: string[]): Promise<string[]>[] => {
    const ps = cmds.map(
      (cmd) => new Promise<string[]>((resolve, reject) => pending.push({ resolve, reject, cmd })),
    );
    proc.stdin.write(`${cmds.join("\n")}\n`);
    proc.stdin.flush();
    return ps;
  };

  const onOutput = (p: Pane, data: Uint8Array) => {
    let text = p.decoder.decode(data, { stream: true });
    if (p.task) {
      p.buf += text;
      const m = p.task.end.exec(p.buf);
      if (!m) return;
      const seen = nowMs();
      const stamp = stampMs(p.buf.slice(0, m.index));
      text = p.buf.slice(m.index + m[0].length);
      p.task = null;
      p.buf = "";
      p.readyBuf = "";
      onMarker(p, Number(m[1]), stamp, seen);
    }
    p.readyBuf = (p.readyBuf + text).slice(-4096);
    if (p.onReady && p.ready.test(p.readyBuf)) {
      p.readyBuf = "";
      const f = p.onReady;
      p.onReady = null;
      f();
    }
  };

  // tmux reads a control client's stdin before it runs the client's own attach-session, so a
  // command written at once may run without a session ("no current client"): wait for the
  // attach's own answer (flags 0) before sending anything.
  let attached: () => void = () => undefined;
  const attachedP = new Promise<void>((res) => {
    attached = res;
  });
  const reader = (async () => {
    const parser = new ControlParser();
    for await (const chunk of proc.stdout) {
      for (const msg of parser.push(chunk)) {
        if (msg.kind === "output") onOutput(pane(msg.paneId), msg.data);
        else if (msg.kind === "response" && msg.flags === 0) attached();
        else if (msg.kind === "response" && msg.flags === 1) {
          const w = pending.shift();
          if (!w) continue;
          if (msg.ok) w.resolve(msg.lines);
          else w.reject(new Error(`${w.cmd}: ${msg.lines.join(" ")}`));
        }
      }
    }
  })();

  const whenReady = (p: Pane) =>
    new Promise<void>((res) => {
      p.onReady = res;
      if (p.ready.test(p.readyBuf)) {
        p.readyBuf = "";
        p.onReady = null;
        res();
      }
    });

  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      attachedP,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("raw: tmux -C did not attach within 5 s")), 5000);
      }),
    ]);
    clearTimeout(timer);
    await send(tmuxCommand("refresh-client", "-C", `${PANE.width}x${PANE.height}`))[0];
    const list: Pane[] = [];
    for (let i = 0; i < workers; i++) {
      const sh = shellStart(tmp.dir, `raw-${i}`, tmp.dir);
      const args = ["-d", "-P", "-F", "#{pane_id}", "-t", `${tmux.session}:`, "-c", tmp.dir];
      for (const [k, v] of Object.entries(sh.env)) args.push("-e", `${k}=${v}`);
      const [line] = await send(tmuxCommand("new-window", ...args, "--", ...sh.argv))[0]!;
      const p = pane(line!.trim());
      p.ready = sh.ready;
      list.push(p);
    }
    await Promise.all(list.map(whenReady));

    let seq = 0;
    const batch = (counts: number[]) =>
      new Promise<{ start: number; end: number; latencies: number[] }>((resolve, reject) => {
        const latencies: number[] = [];
        const left = new Map(list.map((p, i) => [p, counts[i] ?? 0]));
        let running = list.length;
        const timer = setTimeout(() => reject(new Error("raw: tasks did not finish in 300 s")), 300_000);
        const next = (p: Pane) => {
          const n = left.get(p)!;
          if (n === 0) {
            if (--running === 0) {
              clearTimeout(timer);
              resolve({ start, end: nowMs(), latencies });
            }
            return;
          }
          left.set(p, n - 1);
          const id = randomUUID();
          p.task = {
            id,
            end: new RegExp(`${escapeRe(`${MARKERS.endPrefix}${id}-`)}(\\d+)${escapeRe(MARKERS.suffix)}`),
          };
          p.buf = "";
          const buffer = `raw-${p.id.slice(1)}`;
          const framed = frameShellTask({ id, text: taskText(++seq), fresh: !p.primed }, MARKERS);
          for (const r of send(
            tmuxCommand("set-buffer", "-b", buffer, "--", framed),
            tmuxCommand("paste-buffer", "-p", "-r", "-d", "-b", buffer, "-t", p.id),
            tmuxCommand("send-keys", "-t", p.id, "Enter"),
          ))
            r.catch((e: Error) => errors.push(e.message));
        };
        onMarker = (p, exit, stamp, seen) => {
          p.primed = true;
          if (exit !== 0 || stamp === null) errors.push(`task on ${p.id}: exit ${exit}, stamp ${stamp}`);
          else latencies.push(seen - stamp);
          void whenReady(p).then(() => next(p));
        };
        const start = nowMs();
        for (const p of list) next(p);
      });

    await batch(list.map(() => warmup));
    const counts = split(total, workers);
    const tmuxPid = tmuxServerPid(tmux.socket);
    const tmuxBefore = tmuxPid ? cpuMs(tmuxPid) : Number.NaN;
    const r = await batch(counts);
    const tmuxCpuMsPerTask = tmuxPid ? (cpuMs(tmuxPid) - tmuxBefore) / total : Number.NaN;
    if (errors.length) throw new Error(`raw: ${errors.length} errors, first: ${errors[0]}`);
    return { ...runResult("raw", workers, total, r.start, r.end, r.latencies), tmuxCpuMsPerTask };
  } finally {
    try {
      proc.stdin.end();
    } catch {}
    proc.kill();
    tmux.kill();
    await Promise.race([reader.catch(() => undefined), Bun.sleep(1000)]);
    tmp.remove();
  }
}
