import { spawn } from "node:child_process";
import { existsSync, fstatSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { OrphanOutcome } from "../../core/controller/orphans.ts";
import { type CliContext, selfArgv } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { err, out } from "../stdio.ts";

interface StatusJson {
  controller: { pid: number; version: string; startedAt: string; socket: string };
  orphans?: OrphanOutcome[];
}

/**
 * `orch start`: runs the controller as a detached process of its own; returns once the API
 * answers, saying what became of agents' panes no stored worker owned (`--orphans`).
 */
export async function startCommand(
  ctx: CliContext,
  opts: { timeout?: number; orphans?: "adopt" | "kill" | "keep" },
): Promise<number> {
  // root, or state others can reach: refused before anything under ORCH_HOME is opened
  const { startPreflight } = await import("../../core/controller/preflight.ts");
  const refused = startPreflight(ctx.home, process.env);
  if (refused) throw new CliError(refused, EXIT.unavailable);
  if (await ctx.api.alive()) {
    const st = await ctx.api.call<StatusJson>("GET", "/v1/status");
    if (ctx.json) printJson({ started: false, ...st.controller });
    else out.line(`orch is already running (pid ${st.controller.pid})`);
    return EXIT.ok;
  }
  mkdirSync(join(ctx.home, "run"), { recursive: true, mode: 0o700 });
  const outFile = join(ctx.home, "run", "daemon.out");
  const daemonOut = openSync(outFile, "a", 0o600);
  // what this start adds to the file is its own: earlier starts' lines are not its reason
  const from = fstatSync(daemonOut).size;
  const [cmd, ...args] = selfArgv();
  const orphans = opts.orphans ? ["--orphans", opts.orphans] : [];
  const child = spawn(cmd!, [...args, "daemon", "--home", ctx.home, ...orphans], {
    detached: true,
    stdio: ["ignore", daemonOut, daemonOut],
    env: process.env,
  });
  let exited: number | null = null;
  child.on("exit", (code) => {
    exited = code ?? 1;
  });
  child.unref();
  const deadline = Date.now() + (opts.timeout ?? 20) * 1000;
  while (Date.now() < deadline) {
    if (await ctx.api.alive()) {
      const st = await ctx.api.call<StatusJson>("GET", "/v1/status");
      if (ctx.json) printJson({ started: true, ...st.controller, orphans: st.orphans ?? [] });
      else {
        out.line(`orch started (pid ${st.controller.pid}, home ${ctx.home})`);
        printOrphans(st.orphans ?? []);
      }
      return EXIT.ok;
    }
    if (exited !== null) {
      const tail = existsSync(outFile)
        ? readFileSync(outFile).subarray(from).toString("utf8").trim().split("\n").slice(-3).join("\n")
        : "";
      throw new CliError(
        `the controller exited at start: ${tail || `exit ${exited}`}`,
        exited === 2 ? EXIT.usage : EXIT.unavailable,
      );
    }
    await Bun.sleep(25);
  }
  throw new CliError(
    `the controller did not answer within ${opts.timeout ?? 20} s: see ${outFile}`,
    EXIT.unavailable,
  );
}

/** One line per outcome: adopted and killed panes on stdout, a warning naming those left unlisted on stderr. */
function printOrphans(orphans: OrphanOutcome[]): void {
  const pane = (o: OrphanOutcome) => `${o.paneId} ${o.windowName}`;
  const adopted = orphans.filter((o) => o.action === "adopted");
  if (adopted.length > 0)
    out.line(
      `adopted ${adopted.length} agent pane(s) no worker owned: ${adopted.map((o) => `${pane(o)} as worker ${o.worker}`).join(", ")}`,
    );
  const killed = orphans.filter((o) => o.action === "killed");
  if (killed.length > 0)
    out.line(`killed ${killed.length} agent pane(s) no worker owned: ${killed.map(pane).join(", ")}`);
  const kept = orphans.filter((o) => o.action === "kept");
  if (kept.length > 0)
    err.line(
      `warning: ${kept.length} agent pane(s) no worker owns keep running, unlisted: ${kept.map((o) => `${pane(o)}${o.reason ? ` (${o.reason})` : ""}`).join(", ")}; orch stop, then orch start --orphans=adopt or --orphans=kill`,
    );
}

/** `orch stop`: the controller exits; agents keep running unless `--kill-workers`. */
export async function stopCommand(ctx: CliContext, opts: { killWorkers?: boolean }): Promise<number> {
  if (!(await ctx.api.alive())) {
    if (opts.killWorkers) {
      const sock = join(ctx.home, "tmux.sock");
      if (existsSync(sock)) Bun.spawnSync(["tmux", "-S", sock, "kill-server"]);
    }
    if (!ctx.json) out.line("orch is not running");
    else printJson({ stopped: false });
    return EXIT.ok;
  }
  const r = await ctx.api.call<{ pid: number }>("POST", "/v1/stop", {
    killWorkers: Boolean(opts.killWorkers),
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (await ctx.api.alive())) await Bun.sleep(20);
  while (Date.now() < deadline && pidAlive(r.pid)) await Bun.sleep(20);
  if (ctx.json) printJson({ stopped: true, pid: r.pid });
  else
    out.line(`orch stopped (pid ${r.pid})${opts.killWorkers ? ", workers killed" : ", agents left running"}`);
  return EXIT.ok;
}

/** True while the process exists and is not a zombie waiting to be reaped. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}
