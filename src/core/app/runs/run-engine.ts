import { randomUUID } from "node:crypto";
import type { Controller } from "../../controller/controller.ts";
import type { Logger } from "../../controller/logger.ts";
import type { SubmitRequest } from "../../controller/scheduler.ts";
import { fail, ok, type Result } from "../../domain/result.ts";
import { isFinal } from "../../domain/task-status.ts";
import type { Task } from "../../domain/types.ts";
import type { RunRecord, RunStatus, Store } from "../../store/index.ts";
import {
  renderStepText,
  type StepGraph,
  type StepStatus,
  stepGraph,
  stepVerdict,
  templateRefs,
  type Workflow,
  type WorkflowStep,
} from "../workflow/index.ts";

/** A run the engine is driving: its workflow, graph and where each step is. */
interface ActiveRun {
  id: string;
  workflow: Workflow;
  steps: Map<string, WorkflowStep>;
  graph: StepGraph;
  status: Map<string, StepStatus>;
  /** Unfinished tasks per running step. */
  open: Map<string, number>;
  /** Steps whose status is final. */
  done: number;
  cwd: string | null;
}

/** What the engine tells its listeners: a run changed (for long-polling views). */
export type RunListener = (runId: string) => void;

/**
 * Drives workflow runs: starts a step's tasks (one per project of a fan-out) once its needs
 * succeeded, skips steps whose needs failed, and closes the run when every step is final. All
 * of it is in the store, so a restarted controller continues where it was.
 */
export class RunEngine {
  private readonly active = new Map<string, ActiveRun>();
  private readonly listeners = new Set<RunListener>();

  constructor(
    private readonly store: Store,
    private readonly controller: Pick<Controller, "submitGroups" | "cancelTask">,
    private readonly logger: Logger,
  ) {}

  onChange(l: RunListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(runId: string): void {
    for (const l of this.listeners) l(runId);
  }

  /** Records a new run of a validated workflow and starts the steps that need nothing. */
  start(workflow: Workflow, file: string | null, cwd: string | null): RunRecord {
    const run: RunRecord = {
      id: randomUUID(),
      name: workflow.name,
      file,
      workflow: { ...workflow, cwd },
      status: "running",
      startedAt: Date.now(),
      finishedAt: null,
    };
    this.store.transaction(() => {
      this.store.runs.insert(
        run,
        workflow.steps.map((s) => s.name),
      );
      const a = this.activate(run.id, workflow, cwd, new Map());
      this.advance(a, a.graph.order);
    });
    this.logger.log("info", "workflow run started", {
      run: run.id,
      name: run.name,
      steps: workflow.steps.length,
    });
    this.changed(run.id);
    return this.store.runs.get(run.id)!;
  }

  /** Picks up the runs a previous controller left running. */
  resume(): void {
    for (const run of this.store.runs.list({ status: "running" })) {
      const stored = run.workflow as Workflow & { cwd?: string | null };
      const statuses = new Map(this.store.runs.steps(run.id).map((s) => [s.name, s.status as StepStatus]));
      this.store.transaction(() => {
        const a = this.activate(run.id, stored, stored.cwd ?? null, statuses);
        for (const t of this.store.tasks.list({ runId: run.id })) {
          if (!isFinal(t.status) && t.step) a.open.set(t.step, (a.open.get(t.step) ?? 0) + 1);
        }
        for (const [name, st] of a.status) if (st === "running" && !a.open.get(name)) this.closeStep(a, name);
        this.advance(a, a.graph.order);
        this.finishIfDone(a);
      });
      this.logger.log("info", "workflow run resumed", { run: run.id, name: run.name });
    }
  }

  private activate(id: string, workflow: Workflow, cwd: string | null, statuses: Map<string, StepStatus>) {
    const a: ActiveRun = {
      id,
      workflow,
      steps: new Map(workflow.steps.map((s) => [s.name, s])),
      graph: stepGraph(workflow),
      status: new Map(workflow.steps.map((s) => [s.name, statuses.get(s.name) ?? "pending"])),
      open: new Map(),
      done: 0,
      cwd,
    };
    for (const st of a.status.values()) if (isStepFinal(st)) a.done++;
    this.active.set(id, a);
    return a;
  }

  /** A task reached its final status: its step may be complete now. */
  onTaskFinal(t: Task): void {
    if (!t.runId || !t.step) return;
    const a = this.active.get(t.runId);
    if (a?.status.get(t.step) !== "running") return;
    const left = (a.open.get(t.step) ?? 1) - 1;
    a.open.set(t.step, left);
    if (left <= 0) {
      this.store.transaction(() => {
        this.closeStep(a, t.step!);
        this.advance(a, a.graph.dependents.get(t.step!) ?? []);
        this.finishIfDone(a);
      });
    }
    this.changed(a.id);
  }

  /**
   * Looks at pending steps (in order) and starts or skips them; skips cascade to their
   * dependents. The steps that can start are queued together, in one commit, but each is
   * checked on its own: a step the scheduler refuses (a bad text, no worker for it) fails
   * alone and its siblings still run.
   */
  private advance(a: ActiveRun, candidates: readonly string[]): void {
    const queue = [...candidates];
    const starting: WorkflowStep[] = [];
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i]!;
      if (a.status.get(name) !== "pending") continue;
      const step = a.steps.get(name)!;
      const v = stepVerdict(step, (n) => a.status.get(n) ?? "pending");
      if (v.kind === "wait") continue;
      if (v.kind === "skip") {
        this.setStep(a, name, "skipped", v.reason);
        queue.push(...(a.graph.dependents.get(name) ?? []));
        continue;
      }
      // running before its tasks exist: a task that ends at once reports to a running step
      this.setStep(a, name, "running", null);
      starting.push(step);
    }
    if (starting.length === 0) {
      this.finishIfDone(a);
      return;
    }
    const results = this.controller.submitGroups(starting.map((step) => this.stepRequests(a, step)));
    const refused: WorkflowStep[] = [];
    for (const [i, step] of starting.entries()) {
      const r = results[i]!;
      if (r.ok) continue;
      a.open.delete(step.name);
      this.setStep(a, step.name, "failed", r.error);
      refused.push(step);
    }
    if (refused.length) {
      this.advance(
        a,
        refused.flatMap((s) => a.graph.dependents.get(s.name) ?? []),
      );
    }
    this.finishIfDone(a);
  }

  /** One task per project of the step, its text rendered from its needs' outputs. */
  private stepRequests(a: ActiveRun, step: WorkflowStep): SubmitRequest[] {
    const ctxSteps: Record<string, { status: StepStatus; outputs: string[] }> = {};
    for (const ref of templateRefs(step.text).steps) {
      ctxSteps[ref] = {
        status: a.status.get(ref) ?? "pending",
        outputs: this.store.tasks.list({ runId: a.id, step: ref }).map((t) => t.output ?? ""),
      };
    }
    const projects = step.projects ?? [null];
    a.open.set(step.name, projects.length);
    return projects.map((project) => ({
      text: renderStepText(step.text, { project, steps: ctxSteps }),
      ...(step.type ? { type: step.type } : {}),
      tags: step.tags,
      ...(project ? { project } : {}),
      priority: step.priority,
      ...(step.timeoutSec !== null ? { timeoutSec: step.timeoutSec } : {}),
      ...(step.retries !== null ? { retries: step.retries } : {}),
      ...(a.cwd ? { cwd: a.cwd } : {}),
      runId: a.id,
      step: step.name,
      ...(step.host ? { host: step.host } : {}),
      ...(step.labels ? { labels: step.labels } : {}),
    }));
  }

  /** All of a running step's tasks are final: it succeeded if every one did. */
  private closeStep(a: ActiveRun, name: string): void {
    const tasks = this.store.tasks.list({ runId: a.id, step: name });
    const bad = tasks.filter((t) => t.status !== "succeeded");
    if (bad.length === 0) {
      this.setStep(a, name, "succeeded", null);
      return;
    }
    const cancelled = bad.every((t) => t.status === "cancelled");
    const first = bad[0]!;
    const reason = `${bad.length} of ${tasks.length} task(s) ${cancelled ? "cancelled" : "did not succeed"}; first: ${first.project ?? first.id} ${first.status}${first.error ? `: ${first.error}` : ""}`;
    this.setStep(a, name, cancelled ? "cancelled" : "failed", reason);
  }

  private setStep(a: ActiveRun, name: string, status: StepStatus, reason: string | null): void {
    const was = a.status.get(name);
    a.status.set(name, status);
    if (was && !isStepFinal(was) && isStepFinal(status)) a.done++;
    const now = Date.now();
    this.store.runs.setStep(a.id, name, {
      status,
      ...(reason !== null ? { reason } : {}),
      ...(status === "running" ? { startedAt: now } : {}),
      ...(isStepFinal(status) ? { finishedAt: now } : {}),
    });
  }

  private finishIfDone(a: ActiveRun): void {
    if (a.done < a.status.size || !this.active.has(a.id)) return;
    const all = [...a.status.values()];
    const status: RunStatus = all.every((s) => s === "succeeded")
      ? "succeeded"
      : all.some((s) => s === "cancelled")
        ? "cancelled"
        : "failed";
    this.store.runs.finish(a.id, status, Date.now());
    this.active.delete(a.id);
    this.logger.log(status === "succeeded" ? "info" : "warn", `workflow run ${status}`, { run: a.id });
  }

  /** Cancels a run: queued tasks leave the queue, running ones are interrupted, pending steps are cancelled. */
  cancel(
    runId: string,
  ): Result<{ cancelledTasks: number; interruptedTasks: number; cancelledSteps: number }> {
    const run = this.store.runs.get(runId);
    if (!run) return fail("not_found", `unknown run "${runId}"`);
    const a = this.active.get(runId);
    if (!a || run.status !== "running") return fail("conflict", `run ${runId} is already ${run.status}`);
    let cancelledTasks = 0;
    let interruptedTasks = 0;
    let cancelledSteps = 0;
    this.store.transaction(() => {
      for (const [name, st] of a.status) {
        if (st !== "pending") continue;
        this.setStep(a, name, "cancelled", "the run was cancelled");
        cancelledSteps++;
      }
      for (const t of this.store.tasks.list({ runId, status: ["queued", "dispatched", "running"] })) {
        if (t.status === "queued") cancelledTasks++;
        else interruptedTasks++;
        this.controller.cancelTask(t.id, "the run was cancelled");
      }
      this.finishIfDone(a);
    });
    this.changed(runId);
    return ok({ cancelledTasks, interruptedTasks, cancelledSteps });
  }
}

function isStepFinal(s: StepStatus): boolean {
  return s !== "pending" && s !== "running";
}
