import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
export const BUN = join(ROOT, "node_modules", ".bin", "bun");
/** The compiled binary the "dist" tests run (ORCH_TEST_BINARY picks another build). */
export const DIST = process.env.ORCH_TEST_BINARY || join(ROOT, "dist", "orch");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A PATH without node_modules/.bin and without any bun, to prove the binary needs neither. */
export function pathWithoutBun(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((p) => p && !p.includes("node_modules") && !existsSync(join(p, "bun")))
    .join(delimiter);
}

/**
 * One orch installation in a temp ORCH_HOME, run either from source (`bun src/cli/main.ts`)
 * or as the compiled binary. `cleanup()` stops the controller by pid and the tmux server by
 * its own socket, then removes the directory.
 */
export class OrchHarness {
  readonly root: string;
  readonly home: string;
  readonly projects: string;
  private readonly argv: string[];

  constructor(
    readonly mode: "src" | "dist",
    readonly env: Record<string, string> = {},
  ) {
    this.root = mkdtempSync(join(tmpdir(), "orch-test-"));
    this.home = join(this.root, "home");
    this.projects = join(this.root, "projects");
    mkdirSync(this.projects);
    if (mode === "dist" && !existsSync(DIST))
      throw new Error(`no compiled binary at ${DIST}: run 'bun run build' first`);
    this.argv = mode === "dist" ? [DIST] : [BUN, join(ROOT, "src", "cli", "main.ts")];
  }

  /** `orch start` and one shell worker named `name` on a new project `p`; returns the project. */
  async startWithWorker(name: string): Promise<string> {
    await this.ok(["start"]);
    const project = this.project("p");
    await this.ok(["add-worker", "--type", "shell", "--project", project, "--name", name]);
    return project;
  }

  /** Makes a project directory and returns its path. */
  project(name: string): string {
    const p = join(this.projects, name);
    mkdirSync(p, { recursive: true });
    return p;
  }

  /** argv that runs this orch. */
  command(): string[] {
    return [...this.argv];
  }

  /** The environment orch runs with: this ORCH_HOME, and for the binary a PATH without bun. */
  childEnv(extraEnv: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      // the suite may run as root (a container, CI): orch refuses root unless told
      ...(process.getuid?.() === 0 ? { ORCH_ALLOW_ROOT: "1" } : {}),
      ORCH_HOME: this.home,
      ...this.env,
      ...extraEnv,
    };
    if (this.mode === "dist") env.PATH = extraEnv.PATH ?? pathWithoutBun();
    // CI machines run the tests as root; a test of the refusal sets ORCH_ALLOW_ROOT itself
    if (process.getuid?.() === 0 && env.ORCH_ALLOW_ROOT === undefined) env.ORCH_ALLOW_ROOT = "1";
    return env;
  }

  /** Runs `orch ARGS` and collects its exit code and output (bounded by `timeoutMs`). */
  async run(args: string[], timeoutMs = 60_000, extraEnv: Record<string, string> = {}): Promise<RunResult> {
    const env = this.childEnv(extraEnv);
    const p = Bun.spawn([...this.argv, ...args], { env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    const timer = setTimeout(() => p.kill(), timeoutMs);
    const [stdout, stderr, code] = await Promise.all([
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
      p.exited,
    ]);
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  /** Runs and expects exit 0, returning stdout; the error shows everything on failure. */
  async ok(args: string[], timeoutMs?: number): Promise<string> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0)
      throw new Error(`orch ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  async json<T>(args: string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, "--json"])) as T;
  }

  /** Calls the controller's API directly. */
  async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`http://orch${path}`, {
      method,
      unix: join(this.home, "orch.sock"),
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Sends a task through the API and waits for its final state. */
  async sendWait(worker: string, text: string, timeoutSec?: number): Promise<TaskJson> {
    const r = await this.api<TaskJson>("POST", "/v1/tasks", {
      worker,
      text,
      ...(timeoutSec ? { timeoutSec } : {}),
    });
    if (r.status !== 201) throw new Error(`send refused (${r.status}): ${JSON.stringify(r.body)}`);
    return this.waitTask(r.body.id);
  }

  async waitTask(id: string, deadlineMs = 60_000): Promise<TaskJson> {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const r = await this.api<TaskJson>("GET", `/v1/tasks/${id}?wait=2000`);
      if (["succeeded", "failed", "timed_out", "cancelled"].includes(r.body.status)) return r.body;
    }
    throw new Error(`task ${id} not final within ${deadlineMs} ms`);
  }

  controllerPid(): number | null {
    const f = join(this.home, "run", "controller.pid");
    return existsSync(f) ? Number(readFileSync(f, "utf8").trim()) : null;
  }

  /** tmux on orch's private socket. */
  tmux(...args: string[]): RunResult {
    const p = Bun.spawnSync(["tmux", "-S", join(this.home, "tmux.sock"), ...args]);
    return { code: p.exitCode ?? 1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  }

  async cleanup(): Promise<void> {
    const pid = this.controllerPid();
    await this.run(["stop", "--kill-workers"], 20_000).catch(() => undefined);
    if (pid) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    this.tmux("kill-server");
    if (!process.env.ORCH_KEEP_TEST_HOME) rmSync(this.root, { recursive: true, force: true });
  }
}

/** A task as an agent plugin's result() left it: session, cost and tokens when the agent said. */
export interface TaskWithResult extends TaskJson {
  result: {
    sessionId?: string;
    costUsd?: number;
    tokens?: { input?: number; output?: number };
    exitReason?: string;
  } | null;
}

export interface TaskJson {
  id: string;
  worker: string | null;
  status: string;
  exitCode: number | null;
  output: string | null;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  error: string | null;
  text: string;
}

/** `status --json`. */
export interface StatusJson {
  controller: { pid: number; version: string; startedAt: string; socket: string };
  workers: WorkerJson[];
}

export interface WorkerJson {
  id: string;
  name: string;
  type: string;
  project: string;
  state: string;
  paneId: string | null;
  currentTask: string | null;
  restarts: number;
  error: string | null;
}

/** Whether process `pid` is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `check` returns a truthy value; fails with `what` after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  ms = 15_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await Bun.sleep(25);
  }
  throw new Error(
    `timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`,
  );
}
