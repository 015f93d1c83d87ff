/**
 * Contender (c), orch itself: the compiled binary started in a temp ORCH_HOME, N shell
 * workers, tasks submitted over the Unix-socket API (each worker's whole queue up front) with
 * `POST /v1/tasks?wait=MS`, which answers once the task is final.
 */
import { join } from "node:path";
import { cpuMs, tmuxServerPid } from "./proc-cpu.ts";
import { nowMs, type RunResult, runResult, summarize } from "./stats.ts";
import { split, stampMs, taskText, tempDir } from "./workload.ts";

/** The task JSON fields the bench reads. */
export interface TaskJson {
  id: string;
  status: string;
  exitCode: number | null;
  output: string | null;
  finishedAt: string | null;
  error: string | null;
}

export const FINAL = new Set(["succeeded", "failed", "timed_out", "cancelled"]);

/** A running orch in a temp home, driven through its API; `close()` stops it and its tmux. */
export interface OrchInstance {
  home: string;
  socket: string;
  bin: string;
  /** The controller's pid, from `orch status --json`. */
  pid: number;
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Adds `n` shell workers named PREFIX0.. in the home directory (on `host` when given). */
  addShellWorkers(n: number, prefix: string, host?: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Starts orch (`orch start`) in a fresh temp ORCH_HOME; `extraEnv` goes to the controller and
 * every `orch` command (e.g. HOME and the agent's settings for the agent-plugin bench).
 */
export async function startOrch(bin: string, extraEnv: Record<string, string> = {}): Promise<OrchInstance> {
  const tmp = tempDir("orch-bench-home-");
  const home = tmp.dir;
  const socket = join(home, "orch.sock");
  // (benches run as root on CI machines, which orch refuses unless told)
  const root = process.getuid?.() === 0 ? { ORCH_ALLOW_ROOT: "1" } : {};
  const env = { ...process.env, ...root, ...extraEnv, ORCH_HOME: home };
  const cli = async (...args: string[]) => {
    const p = Bun.spawn([bin, ...args], { env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const [stdout, stderr, code] = await Promise.all([
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
      p.exited,
    ]);
    return { code, stdout, stderr };
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`http://orch${path}`, {
      method,
      unix: socket,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const started = await cli("start");
  if (started.code !== 0) {
    tmp.remove();
    throw new Error(`orch start failed (${started.code}): ${started.stderr || started.stdout}`);
  }
  const status = await cli("status", "--json");
  const pid = (JSON.parse(status.stdout) as { controller: { pid: number } }).controller.pid;
  return {
    home,
    socket,
    bin,
    pid,
    api,
    cli,
    async addShellWorkers(n, prefix, host) {
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        const name = `${prefix}${i}`;
        await api("POST", "/v1/workers", { type: "shell", project: home, name, ...(host ? { host } : {}) });
        names.push(name);
      }
      return names;
    },
    async close() {
      await cli("stop", "--kill-workers");
      // belt and braces: the private tmux server by its socket, the controller by its pid
      Bun.spawnSync(["tmux", "-S", join(home, "tmux.sock"), "kill-server"], { stderr: "ignore" });
      try {
        process.kill(pid, 0);
        process.kill(pid, "SIGKILL");
      } catch {}
      tmp.remove();
    },
  };
}

/** Submits one task; the answer comes once it is final (`POST /v1/tasks?wait=MS`). */
function submit(o: OrchInstance, worker: string, text: string): Promise<TaskJson> {
  return o.api<TaskJson>("POST", "/v1/tasks?wait=60000", { worker, text, timeoutSec: 60 });
}

/** Long-polls until the task is final. */
export async function waitFinal(o: OrchInstance, id: string): Promise<TaskJson> {
  for (;;) {
    const t = await o.api<TaskJson>("GET", `/v1/tasks/${id}?wait=60000`);
    if (FINAL.has(t.status)) return t;
  }
}

/**
 * Runs `total` tasks on `workers` orch shell workers (after `warmup` unmeasured tasks each); as
 * "unmasked", with secret masking turned off; as "baseline", `bin` is another build to compare.
 */
export async function runOrch(
  bin: string,
  workers: number,
  total: number,
  contender: "orch" | "unmasked" | "baseline" = "orch",
  warmup = 1,
): Promise<RunResult> {
  const o = await startOrch(bin, contender === "unmasked" ? { ORCH_MASK: "0" } : {});
  try {
    const names = await o.addShellWorkers(workers, "w");
    return await measureOrch(o, names, total, contender, warmup);
  } finally {
    await o.close();
  }
}

/**
 * Runs `total` tasks on the given workers of a running orch (after `warmup` unmeasured tasks
 * each): tasks/s, detection latency (the task's finishedAt after the stamp it printed last),
 * and the CPU the controller, the client and this machine's tmux spent per task.
 */
export async function measureOrch(
  o: OrchInstance,
  names: string[],
  total: number,
  contender: RunResult["contender"],
  warmup = 1,
): Promise<RunResult> {
  let seq = 0;
  const batch = async (counts: number[]) => {
    const detection: number[] = [];
    const seenByClient: number[] = [];
    const errors: string[] = [];
    const start = nowMs();
    // Every task is submitted at once, each answer coming when it is final. Bun's fetch keeps
    // 256 requests in flight and queues the rest in order, so the requests go round-robin over
    // the workers: each worker's queue is filled from the start, as a client would fill them.
    const submitted: Promise<TaskJson>[][] = names.map(() => []);
    for (let k = 0; k < Math.max(...counts); k++) {
      names.forEach((name, i) => {
        if (k < (counts[i] ?? 0)) submitted[i]!.push(submit(o, name, taskText(++seq)));
      });
    }
    await Promise.all(
      submitted.map(async (mine) => {
        for (const p of mine) {
          const first = await p;
          const t = FINAL.has(first.status) ? first : await waitFinal(o, first.id);
          const seen = nowMs();
          const stamp = stampMs(t.output ?? "");
          if (t.status !== "succeeded" || stamp === null || t.finishedAt === null) {
            errors.push(`${t.id}: ${t.status} ${t.error ?? ""} output=${JSON.stringify(t.output)}`);
            continue;
          }
          detection.push(Date.parse(t.finishedAt) - stamp);
          seenByClient.push(seen - stamp);
        }
      }),
    );
    if (errors.length) throw new Error(`orch: ${errors.length} tasks went wrong, first: ${errors[0]}`);
    return { start, end: nowMs(), detection, seenByClient };
  };
  await batch(names.map(() => warmup));
  const tmuxPid = tmuxServerPid(join(o.home, "tmux.sock"));
  const cpuBefore = cpuMs(o.pid);
  const clientBefore = process.cpuUsage();
  const tmuxBefore = tmuxPid ? cpuMs(tmuxPid) : Number.NaN;
  const r = await batch(split(total, names.length));
  const cpuAfter = cpuMs(o.pid);
  const client = process.cpuUsage(clientBefore);
  const tmuxCpuMsPerTask = tmuxPid ? (cpuMs(tmuxPid) - tmuxBefore) / total : Number.NaN;
  return {
    ...runResult(contender, names.length, total, r.start, r.end, r.detection),
    clientSeen: summarize(r.seenByClient),
    controllerCpuMsPerTask: (cpuAfter - cpuBefore) / total,
    clientCpuMsPerTask: (client.user + client.system) / 1000 / total,
    tmuxCpuMsPerTask,
  };
}
