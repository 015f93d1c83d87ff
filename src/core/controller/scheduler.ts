import { isAbsolute, resolve } from "node:path";
import type { Config } from "../domain/config.ts";
import { canQueueTasks, limitsFromConfig, type ResourceLimits } from "../domain/limits.ts";
import { validateTaskText } from "../domain/names.ts";
import { placeFits, placeText } from "../domain/placement.ts";
import { DEFAULT_PRIORITY, queueRank } from "../domain/priority.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import { routeAgentType } from "../domain/routing.ts";
import type { Task, TaskPlace, TaskPriority, Worker } from "../domain/types.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import type { Store } from "../store/index.ts";
import { wrongPathKind } from "../store/path-kind.ts";
import { chooseHost, placeOf, poolKey } from "./host-choice.ts";
import type { Logger } from "./logger.ts";
import { newTask } from "./new-task.ts";
import type { TaskFlow } from "./task-flow.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** How long a host where a pool's worker could not be started is left out for that pool (ms). */
const FAILED_HOST_MS = 60_000;

/** A task for whichever worker fits: `orch submit`, and every task of a workflow run. */
export interface SubmitRequest {
  text: string;
  /** An agent type, or a task type that a route maps to one. */
  type?: string;
  tags?: string[];
  /** Only workers in this project (absolute path) may take it. */
  project?: string;
  priority?: TaskPriority;
  timeoutSec?: number;
  /** Retries after the first attempt; the config's maxRetryCount when left out. */
  retries?: number;
  /** Where to start a worker when none fits and the task names no project. */
  cwd?: string;
  runId?: string;
  step?: string;
  /** Only workers on this host (`local` or a host's name) may take it. */
  host?: string;
  /** Only workers on a host with all these labels may take it. */
  labels?: Record<string, string>;
}

/** A request that passed the checks, with the agent type it was routed to and the place it asked for. */
interface Prepared {
  req: SubmitRequest;
  agentType: string;
  place: TaskPlace | null;
}

/** A host as the scheduler sees it: its labels, its worker limit, whether its link is up. */
export interface SchedulerHost {
  name: string;
  labels: Record<string, string>;
  maxWorkers: number;
  online: boolean;
}

export interface SchedulerDeps {
  store: Store;
  config: Config;
  logger: Logger;
  flow: TaskFlow;
  runtimes(): Iterable<WorkerRuntime>;
  pluginNames(): string[];
  /** Starts a worker (the controller's add-worker) on a host. */
  spawn(type: string, project: string, host: string): Promise<Result<Worker>>;
  /** The hosts there are, `local` first. */
  hosts(): SchedulerHost[];
}

/**
 * The scheduler: queues pool tasks in the store's priority queue, hands them to idle workers
 * of the right type and project, starts workers within the limits when none is free, and wakes
 * up for retries that had to wait.
 */
export class Scheduler {
  private readonly limits: ResourceLimits;
  /** Workers being started, per pool key: the host each is going to. */
  private readonly spawning = new Map<string, string[]>();
  /** Hosts where a worker of a pool could not be started lately, per pool key: host -> until when. */
  private readonly failedOn = new Map<string, Map<string, number>>();
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;
  private wakeAtMs = Number.POSITIVE_INFINITY;

  constructor(private readonly d: SchedulerDeps) {
    this.limits = limitsFromConfig(d.config);
  }

  /** Checks, routes and queues tasks in one commit, then dispatches them or starts workers. */
  submit(reqs: SubmitRequest[]): Result<Task[]> {
    return this.submitGroups([reqs])[0]!;
  }

  /**
   * Like `submit` for several groups at once (a workflow's steps that start together): each
   * group is checked on its own and refused whole or queued whole, so one bad group does not
   * fail the others; the accepted ones share one commit and one dispatch.
   */
  submitGroups(groups: SubmitRequest[][]): Result<Task[]>[] {
    const known = this.d.pluginNames();
    const live = this.liveWorkers();
    // a workflow step submits thousands of tasks for a few pools: each pool is checked once
    const checked = new Map<string, string | null>();
    const results: Result<Task[]>[] = [];
    const accepted: Array<{ at: number; prepared: Prepared[] }> = [];
    let queuedNow = this.d.store.tasks.countAllQueued();
    for (const [g, reqs] of groups.entries()) {
      const prepared = this.prepare(reqs, known, live, checked);
      if (!prepared.ok) {
        results[g] = prepared;
        continue;
      }
      const queued = canQueueTasks(this.limits, queuedNow, reqs.length);
      if (!queued.ok) {
        results[g] = queued;
        continue;
      }
      queuedNow += reqs.length;
      accepted.push({ at: g, prepared: prepared.value });
    }
    if (accepted.length === 0) return results;
    const now = Date.now();
    const agingMs = this.d.config.priorityAging * 1000;
    const inserted = this.d.store.transaction(() =>
      accepted.map((a) =>
        a.prepared.map(({ req, agentType, place }) => {
          const priority = req.priority ?? DEFAULT_PRIORITY;
          return this.d.store.tasks.insert(
            newTask({
              text: req.text,
              priority,
              submittedAt: now,
              rank: queueRank(priority, now, agingMs),
              timeoutMs: Math.round((req.timeoutSec ?? this.d.config.commandTimeout) * 1000),
              agentType,
              project: req.project ?? null,
              maxRetries: req.retries ?? this.d.config.maxRetryCount,
              runId: req.runId ?? null,
              step: req.step ?? null,
              place,
            }),
          );
        }),
      ),
    );
    this.dispatch(
      accepted.flatMap((a) =>
        a.prepared.map((p) => ({
          agentType: p.agentType,
          project: p.req.project ?? null,
          cwd: p.req.cwd,
          place: p.place,
        })),
      ),
    );
    // a task taken at once reads as dispatched
    for (const [i, a] of accepted.entries()) {
      results[a.at] = ok(inserted[i]!.map((t) => this.d.store.tasks.get(t.id) ?? t));
    }
    return results;
  }

  /** Checks and routes one group of requests; the first bad one refuses the group, naming it. */
  private prepare(
    reqs: SubmitRequest[],
    known: string[],
    live: Worker[],
    checked: Map<string, string | null>,
  ): Result<Prepared[]> {
    const prepared: Prepared[] = [];
    const hosts = this.d.hosts();
    for (const [i, asked] of reqs.entries()) {
      const where = reqs.length > 1 ? `task ${i + 1}: ` : "";
      const place = placeOf(asked);
      if (place?.host && !hosts.some((h) => h.name === place.host))
        return fail(
          "bad_input",
          `${where}no host named "${place.host}" (hosts: ${hosts.map((h) => h.name).join(", ")})`,
        );
      // a task that may run on another host names a directory there: not looked for here
      const elsewhere = place !== null && place.host !== LOCAL_HOST;
      const req =
        asked.project === undefined || elsewhere ? asked : { ...asked, project: resolve(asked.project) };
      const notDir =
        req.project === undefined
          ? null
          : elsewhere
            ? isAbsolute(req.project)
              ? null
              : `project directory "${req.project}": expected an absolute path (the task runs ${placeText(place)})`
            : wrongPathKind("project directory", asked.project!, "directory", req.project);
      if (notDir) return fail("bad_input", `${where}${notDir}`);
      const text = validateTaskText(req.text, this.d.config.maxTaskBytes);
      if (!text.ok) return fail("bad_input", `${where}${text.error}`);
      const route = routeAgentType({ type: req.type, tags: req.tags }, this.d.config, known);
      if (!route.ok) return fail("bad_input", `${where}${route.error}`);
      const key = JSON.stringify([route.value, req.project ?? null, req.cwd ?? null, place]);
      if (!checked.has(key))
        checked.set(key, this.fitFailure(live, route.value, req.project ?? null, req.cwd, place));
      const fits = checked.get(key);
      if (fits) return fail("conflict", `${where}${fits}`);
      prepared.push({ req, agentType: route.value, place });
    }
    return ok(prepared);
  }

  /** Why no worker could ever take a task of this pool, or null when one can (or may be started). */
  private fitFailure(
    live: Worker[],
    agentType: string,
    project: string | null,
    cwd: string | undefined,
    place: TaskPlace | null,
  ): string | null {
    const hosts = this.d.hosts();
    if (live.some((w) => this.fits(w, agentType, project, place, hosts))) return null;
    // the client's directory is a path here: a worker elsewhere needs --project
    const where = project ?? (place && place.host !== LOCAL_HOST ? undefined : cwd);
    const asked = placeText(place);
    const pool = `${agentType} worker${project ? ` for project ${project}` : ""}${asked ? ` ${asked}` : ""}`;
    if (!where) return `no ${pool}, and no project to start one in: pass --project`;
    if (this.d.config.autoWorkers === 0) {
      const on = place?.host ? ` --host ${place.host}` : "";
      return `no ${pool}, and autoWorkers is 0 so orch does not start one: run orch add-worker --type ${agentType} --project ${where}${on}`;
    }
    const host = chooseHost(this.limits, this.d.hosts(), { type: agentType, project: where }, place, live);
    return host.ok ? null : `no ${pool} is running and none may be started: ${host.error}`;
  }

  /** Whether a live worker may take the pool's tasks: its type, project and place. */
  private fits(
    w: Worker,
    agentType: string,
    project: string | null,
    place: TaskPlace | null,
    hosts = this.d.hosts(),
  ): boolean {
    const labels = hosts.find((h) => h.name === w.host)?.labels ?? {};
    return (
      w.type === agentType && (project === null || w.project === project) && placeFits(place, w.host, labels)
    );
  }

  /** Gives idle workers their next task, then starts workers for pools still waiting. */
  private dispatch(
    pools: Array<{ agentType: string; project: string | null; cwd?: string; place: TaskPlace | null }>,
  ): void {
    this.pumpAll();
    const seen = new Set<string>();
    for (const p of pools) {
      const key = poolKey(p.agentType, p.project, p.place);
      if (seen.has(key)) continue;
      seen.add(key);
      this.maybeSpawn(p.agentType, p.project, p.cwd, p.place);
    }
  }

  /** Offers work to every ready, free worker. */
  pumpAll(): void {
    for (const rt of this.d.runtimes()) this.d.flow.pump(rt);
  }

  /** Looks again at `at` (a retry's notBefore); keeps only the earliest pending wake-up. */
  wakeAt(at: number): void {
    if (at >= this.wakeAtMs) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeAtMs = at;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = null;
        this.wakeAtMs = Number.POSITIVE_INFINITY;
        this.d.store.transaction(() => this.pumpAll());
        const next = this.d.store.tasks.nextWake(Date.now());
        if (next !== null) this.wakeAt(next);
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** Starts workers for a pool with queued tasks, up to autoWorkers and within the limits. */
  private maybeSpawn(
    agentType: string,
    project: string | null,
    cwd: string | undefined,
    place: TaskPlace | null,
  ): void {
    const where = project ?? (place && place.host !== LOCAL_HOST ? undefined : cwd);
    if (!where || this.d.config.autoWorkers === 0) return;
    const key = poolKey(agentType, project, place);
    const demand = this.d.store.tasks.countPool(agentType, project, place);
    const live = this.liveWorkers();
    const pool =
      live.filter((w) => this.fits(w, agentType, project, place)).length +
      (this.spawning.get(key)?.length ?? 0);
    const want = Math.min(demand, this.d.config.autoWorkers) - pool;
    for (let i = 0; i < want; i++) {
      // the workers being started count where they are going, so that work spreads
      const host = chooseHost(this.limits, this.hostsFor(key), { type: agentType, project: where }, place, [
        ...live,
        ...this.spawningSlots(),
      ]);
      if (!host.ok) {
        this.d.logger.log("warn", "scheduler may not start another worker", {
          pool: key,
          reason: host.error,
        });
        return;
      }
      this.spawning.set(key, [...(this.spawning.get(key) ?? []), host.value]);
      this.d.logger.log("info", "scheduler starts a worker", {
        type: agentType,
        project: where,
        host: host.value,
      });
      void this.d.spawn(agentType, where, host.value).then((r) => {
        const left = [...(this.spawning.get(key) ?? [])];
        left.splice(left.indexOf(host.value), 1);
        this.spawning.set(key, left);
        if (!r.ok) this.spawnFailed(agentType, project, place, r.error, host.value, cwd);
      });
    }
  }

  /** The hosts a worker of the pool may be started on now (not one where a start just failed). */
  private hostsFor(key: string) {
    const failed = this.failedOn.get(key);
    return this.d.hosts().filter((h) => (failed?.get(h.name) ?? 0) <= Date.now());
  }

  /** The workers being started, as live workers of their pool and host (for the limits). */
  private spawningSlots(): Worker[] {
    const slots: Worker[] = [];
    for (const [key, onHosts] of this.spawning) {
      const [type, project] = JSON.parse(key) as [string, string | null];
      for (const host of onHosts) slots.push({ type, project: project ?? "", host } as Worker);
    }
    return slots;
  }

  /**
   * No worker could be started on `host`: a task that asked for a place tries another host
   * that fits (that one is left out for a minute); when nothing else can take the pool's tasks,
   * they fail.
   */
  private spawnFailed(
    agentType: string,
    project: string | null,
    place: TaskPlace | null,
    error: string,
    host: string,
    cwd: string | undefined,
  ): void {
    const key = poolKey(agentType, project, place);
    this.d.logger.log("error", "scheduler could not start a worker", { pool: key, host, error });
    if (place) {
      const failed = this.failedOn.get(key) ?? new Map<string, number>();
      failed.set(host, Date.now() + FAILED_HOST_MS);
      this.failedOn.set(key, failed);
      const want = { type: agentType, project: project ?? cwd ?? "" };
      if (chooseHost(this.limits, this.hostsFor(key), want, place, this.liveWorkers()).ok) {
        this.maybeSpawn(agentType, project, cwd, place);
        return;
      }
    }
    if ((this.spawning.get(key)?.length ?? 0) > 0) return;
    if (this.liveWorkers().some((w) => this.fits(w, agentType, project, place))) return;
    const failed = this.d.store.transaction(() =>
      this.d.store.tasks
        .list({ status: ["queued"] })
        .filter(
          (t) =>
            t.worker === null &&
            t.agentType === agentType &&
            t.project === project &&
            poolKey(agentType, project, t.place ?? null) === key,
        )
        .map((t) =>
          this.d.store.tasks.update(t.id, {
            status: "cancelled",
            finishedAt: Date.now(),
            error: `no worker could be started for it: ${error}`,
          }),
        ),
    );
    for (const t of failed) if (t) this.d.flow.settled(t);
  }

  private liveWorkers(): Worker[] {
    return this.d.store.workers.list().filter((w) => w.state !== "dead" && w.state !== "error");
  }

  close(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
  }
}
