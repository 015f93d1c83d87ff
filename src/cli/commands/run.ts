import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import type { RunJson, RunViewJson } from "../../core/app/runs/run-view.ts";
import { wrongPathKind } from "../../core/store/path-kind.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { createProgressView, type ProgressMode, type ProgressRun } from "../progress/index.ts";
import { reconnecting } from "../reconnect.ts";
import { err, out } from "../stdio.ts";

/** Flags of `orch run`. */
export interface RunOptions {
  /** `--projects DIR...`: run COMMAND in each (the seed's parallel tests). */
  projects?: string[];
  command?: string;
  type?: string;
  timeout?: number;
  retries?: number;
  detach?: boolean;
}

/**
 * `orch run FILE` / `orch run --projects DIR... -- COMMAND`: starts a workflow run in the
 * controller and follows it (live view on a terminal, plain lines otherwise, JSON Lines with
 * --json). Ctrl-C cancels what is left. Exit 0 only if every step succeeded.
 */
export async function runCommand(ctx: CliContext, file: string | undefined, o: RunOptions): Promise<number> {
  const body = o.projects ? projectsRun(o) : fileRun(file);
  // a Ctrl-C while the run is being made (its first task may be running before the answer
  // reaches us) cancels it as soon as its id is known
  let early = false;
  const onEarlyInt = () => {
    early = true;
  };
  if (!o.detach) process.on("SIGINT", onEarlyInt);
  let run: RunJson;
  try {
    // a bad file is refused (exit 2) with every error, each naming its line and path
    run = await ctx.api.call<RunJson>("POST", "/v1/runs", body);
  } finally {
    process.off("SIGINT", onEarlyInt);
  }
  if (o.detach) {
    if (ctx.json) printJson(run);
    else out.line(run.id);
    return EXIT.ok;
  }
  return followRun(ctx, run.id, early);
}

function fileRun(file: string | undefined) {
  if (!file) throw new CliError("run needs a workflow FILE, or --projects DIR... -- COMMAND", EXIT.usage);
  const path = resolve(file);
  const notFile = wrongPathKind("workflow file", file, "file", path);
  if (notFile) throw new CliError(notFile, EXIT.usage);
  return { source: readFileSync(path, "utf8"), file, baseDir: dirname(path), cwd: process.cwd() };
}

/** The one-step workflow behind `--projects`: COMMAND fanned out over the folders. */
function projectsRun(o: RunOptions) {
  if (!o.command) throw new CliError("run --projects needs a COMMAND after --", EXIT.usage);
  const step: Record<string, unknown> = {
    name: "run",
    text: o.command,
    projects: o.projects!.map((p) => resolve(p)),
  };
  if (o.type) step.type = o.type;
  if (o.timeout !== undefined) step.timeout = o.timeout;
  if (o.retries !== undefined) step.retries = o.retries;
  const source = JSON.stringify({
    name: basename(o.command.split(/\s+/)[0] ?? "run") || "run",
    steps: [step],
  });
  return { source, file: "(command line)", baseDir: process.cwd(), cwd: process.cwd() };
}

/**
 * Follows a run to its end with a progress view; the exit code is its verdict. `interrupted`:
 * a Ctrl-C came before (the run is cancelled at once).
 */
export async function followRun(ctx: CliContext, runId: string, interruptedBefore = false): Promise<number> {
  const mode: ProgressMode = ctx.json ? "json" : process.stdout.isTTY ? "tty" : "plain";
  const view = createProgressView(mode, {
    write: (s) => out.write(s),
    get columns() {
      return process.stdout.columns || 80;
    },
    get rows() {
      return process.stdout.rows || 24;
    },
  });
  let interrupted = false;
  let cancelling: Promise<unknown> = Promise.resolve();
  const onInt = () => {
    if (interrupted) {
      if (mode === "tty") out.write("\x1b[?25h\n");
      process.exit(EXIT.interrupted);
    }
    interrupted = true;
    cancelling = ctx.api
      .call<{ cancelledTasks: number; interruptedTasks: number; cancelledSteps: number }>(
        "POST",
        `/v1/runs/${runId}/cancel`,
      )
      .then(
        (r) =>
          err.write(
            `\norch: run ${runId} cancelled: ${r.cancelledTasks} queued task(s) cancelled, ${r.interruptedTasks} running task(s) interrupted, ${r.cancelledSteps} step(s) not started\n`,
          ),
        (e: Error) => err.write(`\norch: could not cancel run ${runId}: ${e.message}\n`),
      );
  };
  process.on("SIGINT", onInt);
  if (interruptedBefore) onInt();
  // the controller answers when the run changes; between changes a terminal's clocks tick here
  let latest: ProgressRun | null = null;
  const tick = mode === "tty" ? setInterval(() => latest && view.update(latest, Date.now()), 250) : null;
  try {
    let version = -1;
    for (;;) {
      // a restarted controller counts versions from 0 again: ask it for the run as it is now
      const v = await reconnecting(
        ctx,
        () =>
          ctx.api.call<RunViewJson & { version: number }>(
            "GET",
            `/v1/runs/${runId}?wait=5000&since=${version}`,
          ),
        {
          onRetry: () => {
            version = -1;
          },
        },
      );
      version = v.version;
      const model = toProgress(v);
      if (v.run.status !== "running") {
        if (tick) clearInterval(tick);
        view.finish(model, Date.now());
        // the run may end before the cancel call answers: say what was left before exiting
        await cancelling;
        if (interrupted) return EXIT.interrupted;
        return v.run.status === "succeeded" ? EXIT.ok : EXIT.taskFailed;
      }
      latest = model;
      view.update(model, Date.now());
    }
  } finally {
    if (tick) clearInterval(tick);
    process.off("SIGINT", onInt);
  }
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

/** The API's run view as the progress views' model. */
export function toProgress(v: RunViewJson): ProgressRun {
  return {
    id: v.run.id,
    name: v.run.name,
    status: v.run.status,
    startedAt: ms(v.run.startedAt) ?? Date.now(),
    finishedAt: ms(v.run.finishedAt),
    steps: v.steps.map((s) => ({
      name: s.name,
      status: s.status,
      reason: s.reason,
      tasks: s.tasks.map((t) => ({
        id: t.id,
        label: t.project ? basename(t.project) : s.name,
        status: t.status,
        attempts: t.attempts,
        startedAt: ms(t.startedAt),
        finishedAt: ms(t.finishedAt),
        error: t.error,
      })),
    })),
  };
}
