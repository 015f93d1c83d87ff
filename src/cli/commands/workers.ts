import { join } from "node:path";
import type { ShownWorkerJson } from "../../core/controller/short-ids.ts";
import type { WorkerJson } from "../../core/controller/task-json.ts";
import type { WorktreeRemoval } from "../../core/controller/worker-worktree.ts";
import type { HostJson } from "../../core/hosts/host-desk.ts";
import { segment, WORKER_EXPECTED } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson, printTable } from "../output.ts";
import { err, out } from "../stdio.ts";
import { printHosts } from "./hosts.ts";

interface StatusJson {
  controller: { pid: number; version: string; startedAt: string; socket: string };
  workers: ShownWorkerJson[];
  hosts?: HostJson[];
}

/**
 * `orch add-worker`: prints the new worker's name once its agent is ready. `worktree`: a git
 * worktree of its own (true), none (false), or as the config says (absent).
 */
export async function addWorkerCommand(
  ctx: CliContext,
  o: { type: string; project: string; name?: string; worktree?: boolean; host?: string },
): Promise<number> {
  const w = await ctx.api.call<WorkerJson>("POST", "/v1/workers", o);
  if (ctx.json) printJson(w);
  else out.line(w.name);
  return EXIT.ok;
}

/** `orch status`: the controller and its workers. */
export async function statusCommand(ctx: CliContext): Promise<number> {
  const st = await ctx.api.call<StatusJson>("GET", "/v1/status");
  if (ctx.json) {
    printJson(st);
    return EXIT.ok;
  }
  const c = st.controller;
  out.line(`controller: pid ${c.pid}, orch ${c.version}, up since ${c.startedAt}`);
  // other machines (orch host add): their table first, the workers' after
  if (st.hosts && st.hosts.length > 1) {
    printHosts(st.hosts);
    out.line("");
  }
  if (st.workers.length === 0) {
    out.line("no workers: add one with 'orch add-worker --type shell --project DIR'");
    return EXIT.ok;
  }
  // a HOST column once there is more than this machine
  const hosts = (st.hosts?.length ?? 0) > 1;
  printTable(
    ["NAME", "TYPE", ...(hosts ? ["HOST"] : []), "STATE", "PANE", "TASK", "RESTARTS", "PROJECT"],
    st.workers.map((w) => [
      w.name,
      w.type,
      ...(hosts ? [w.host] : []),
      w.error && (w.state === "dead" || w.state === "error") ? `${w.state} (${w.error})` : w.state,
      w.paneId ?? "-",
      w.currentTask ? (w.currentTaskShortId ?? w.currentTask) : "-",
      String(w.restarts),
      w.project,
    ]),
  );
  return EXIT.ok;
}

/** `orch capture WORKER`: the pane's screen as text. */
export async function captureCommand(ctx: CliContext, worker: string): Promise<number> {
  const r = await ctx.api.call<{ text: string }>(
    "GET",
    `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/capture`,
  );
  if (ctx.json) printJson({ worker, text: r.text });
  else out.write(r.text.endsWith("\n") ? r.text : `${r.text}\n`);
  return EXIT.ok;
}

/** `orch attach [WORKER]`: opens tmux on orch's session (read-write; detach with C-b d). */
export async function attachCommand(ctx: CliContext, worker?: string): Promise<number> {
  const sock = join(ctx.home, "tmux.sock");
  const st = await ctx.api.call<StatusJson>("GET", "/v1/status");
  let target = "agent-system";
  if (worker) {
    const w = st.workers.find((x) => x.name === worker);
    if (!w) throw new CliError(`unknown worker ${JSON.stringify(worker)}`, EXIT.usage);
    if (!w.paneId) throw new CliError(`worker "${worker}" has no pane`, EXIT.unavailable);
    target = w.paneId;
  }
  if (!process.stdin.isTTY) throw new CliError("attach needs a terminal (stdin is not a TTY)", EXIT.usage);
  const on = worker ? st.workers.find((x) => x.name === worker)?.host : undefined;
  if (worker && on && on !== "local") {
    // a worker on another host: ssh -t to orch's tmux there (detach with C-b d, as here)
    const r = await ctx.api.call<{ argv: string[] }>(
      "GET",
      `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/attach`,
    );
    const p = Bun.spawnSync(r.argv, { stdio: ["inherit", "inherit", "inherit"] });
    return p.exitCode ?? EXIT.ok;
  }
  const args = ["tmux", "-S", sock, "attach-session", "-t", target];
  if (worker) args.push(";", "select-window", "-t", target, ";", "select-pane", "-t", target);
  const p = Bun.spawnSync(args, { stdio: ["inherit", "inherit", "inherit"] });
  return p.exitCode ?? EXIT.ok;
}

/** `orch kill-worker WORKER`; says what became of the worker's git worktree, if it had one. */
export async function killWorkerCommand(ctx: CliContext, worker: string): Promise<number> {
  const r = await ctx.api.call<{ worktree?: WorktreeRemoval | null }>(
    "DELETE",
    `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}`,
  );
  const wt = r.worktree ?? null;
  if (ctx.json) {
    printJson({ killed: worker, worktree: wt });
    return EXIT.ok;
  }
  out.line(`killed ${worker}`);
  if (wt?.removed) out.line(`removed its worktree ${wt.path}; its branch ${wt.branch} is kept`);
  else if (wt) {
    err.line(
      `warning: the worktree ${wt.path} was not removed (${wt.error}): remove it with 'git worktree remove --force ${wt.path}'; its branch ${wt.branch} is kept`,
    );
  }
  return EXIT.ok;
}

/**
 * `orch revive WORKER [--force]`: restarts the agent in its window; a healthy idle worker is
 * left as it is (said so; `revived: false` in --json), a worker on a task is refused (exit 2)
 * unless --force.
 */
export async function reviveCommand(
  ctx: CliContext,
  worker: string,
  o: { force?: boolean },
): Promise<number> {
  const w = await ctx.api.call<WorkerJson & { revived?: boolean; note?: string }>(
    "POST",
    `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/revive${o.force ? "?force=1" : ""}`,
  );
  if (ctx.json) printJson(w);
  else if (w.revived === false) out.line(w.note ?? `${w.name} is healthy: nothing to revive`);
  else out.line(`revived ${w.name} (restarts: ${w.restarts})`);
  return EXIT.ok;
}

/** `orch approve|deny WORKER`: answers the permission prompt the worker waits on. */
export async function answerCommand(
  ctx: CliContext,
  worker: string,
  decision: "approve" | "deny",
): Promise<number> {
  const r = await ctx.api.call<{ ok: true }>(
    "POST",
    `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/${decision}`,
    {},
  );
  if (ctx.json) printJson({ worker, answer: decision, ...r });
  else out.line(`${decision === "approve" ? "approved" : "denied"} on ${worker}`);
  return EXIT.ok;
}

/** `orch send WORKER --key KEY...`: named keys (Enter, Escape, C-c, 1, ...) to the worker's pane. */
export async function keysCommand(ctx: CliContext, worker: string, keys: string[]): Promise<number> {
  await ctx.api.call("POST", `/v1/workers/${segment(worker, "worker", WORKER_EXPECTED)}/keys`, { keys });
  if (ctx.json) printJson({ worker, keys });
  return EXIT.ok;
}
