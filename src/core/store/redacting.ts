/**
 * Masking at the store's door: every text the store keeps from agents (task output and
 * errors, attempts, events, worker errors, workflow step reasons) passes the redactor the
 * controller gives {@link openStore}, so no code path can write a secret by forgetting to mask.
 * Task texts are kept as sent: a retry types them again.
 */
import type { AttemptsRepo } from "./attempts-repo.ts";
import type { EventsRepo } from "./events-repo.ts";
import type { RunsRepo } from "./runs-repo.ts";
import type { TaskPatch, TasksRepo } from "./tasks-repo.ts";
import type { WorkersRepo } from "./workers-repo.ts";

/**
 * What masks text before it is stored; `worker` is whose output it is (null: no one's), so a
 * worker left unmasked by the config keeps its raw output.
 *
 * @example
 * ```ts
 * const redact: Redactor = { text: (_worker, s) => masker.mask(s) };
 * openStore(file, { redact });
 * ```
 */
export interface Redactor {
  text(worker: string | null, s: string): string;
}

/** Every string in a JSON-like value passed through `r`. */
export function redactValue<T>(r: Redactor, worker: string | null, value: T): T {
  if (typeof value === "string") return r.text(worker, value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(r, worker, v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(r, worker, v);
    return out as T;
  }
  return value;
}

function text(r: Redactor, worker: string | null, s: string | null | undefined): string | null | undefined {
  return typeof s === "string" ? r.text(worker, s) : s;
}

function redactTaskPatch<P extends TaskPatch>(r: Redactor, worker: string | null, p: P): P {
  if (p.output == null && p.error == null && p.result == null) return p;
  const out = { ...p };
  if (p.output != null) out.output = r.text(worker, p.output);
  if (p.error != null) out.error = r.text(worker, p.error);
  if (p.result != null) out.result = redactValue(r, worker, p.result);
  return out;
}

/** The store's repositories with their writes passed through `r`. */
export function redactingRepos(
  r: Redactor,
  repos: {
    tasks: TasksRepo;
    attempts: AttemptsRepo;
    events: EventsRepo;
    workers: WorkersRepo;
    runs: RunsRepo;
  },
) {
  const { tasks, attempts, events, workers, runs } = repos;
  const redactPatchOf = (id: string, p: TaskPatch, known: string | null | undefined): TaskPatch => {
    // whose output it is matters only for text (unmaskedWorkers): a status change reads nothing
    if (p.output == null && p.error == null && p.result == null) return p;
    const worker =
      p.worker !== undefined ? p.worker : known !== undefined ? known : (tasks.get(id)?.worker ?? null);
    return redactTaskPatch(r, worker, p);
  };
  return {
    tasks: {
      ...tasks,
      insert: (t) => tasks.insert(redactTaskPatch(r, t.worker, t)),
      update: (id, p, known) => tasks.update(id, redactPatchOf(id, p, known)),
      set: (id, p, known) => tasks.set(id, redactPatchOf(id, p, known)),
    } satisfies TasksRepo,
    attempts: {
      ...attempts,
      add: (a) =>
        attempts.add({
          ...a,
          error: text(r, a.worker, a.error) ?? null,
          output: text(r, a.worker, a.output) ?? null,
        }),
    } satisfies AttemptsRepo,
    events: {
      ...events,
      append: (e) => events.append({ ...e, data: redactValue(r, e.worker, e.data) }),
    } satisfies EventsRepo,
    workers: {
      ...workers,
      update: (name, p) => workers.update(name, p.error ? { ...p, error: r.text(name, p.error) } : p),
    } satisfies WorkersRepo,
    runs: {
      ...runs,
      setStep: (runId, name, p) =>
        runs.setStep(runId, name, p.reason ? { ...p, reason: r.text(null, p.reason) } : p),
    } satisfies RunsRepo,
  };
}
