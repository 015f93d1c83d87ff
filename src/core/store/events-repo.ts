/** The `events` table: an append-only log of what happened, read in id order. */
import type { Database } from "bun:sqlite";
import type { OrchEvent } from "../domain/types.ts";

/**
 * What {@link EventsRepo.list} returns: events in id order, oldest first.
 *
 * @example
 * ```ts
 * const page: EventListOptions = { afterId: lastSeenId, limit: 100 };
 * ```
 */
export interface EventListOptions {
  /** Only events with an id greater than this (resume a stream where it stopped). */
  afterId?: number;
  /** At most this many (a whole number, 0 or more). */
  limit?: number;
}

/**
 * The event log.
 *
 * @example
 * ```ts
 * store.events.append({ at: Date.now(), kind: "worker.dead", worker: "c1", task: null, data: { exit: 137 } });
 * for (const e of store.events.list({ afterId: 0, limit: 50 })) console.log(e.id, e.kind);
 * ```
 */
export interface EventsRepo {
  /** Record an event; returns it with the id the store gave it (ids only grow). */
  append(e: Omit<OrchEvent, "id">): OrchEvent;
  /** Events oldest first, optionally after an id and/or limited. */
  list(opts?: EventListOptions): OrchEvent[];
  /** The newest `limit` events, oldest first. */
  latest(limit: number): OrchEvent[];
  /** Calls `listener` with every event appended from now on; returns the unsubscribe. */
  onAppend(listener: (e: OrchEvent) => void): () => void;
}

interface EventRow {
  id: number;
  at: number;
  kind: string;
  worker: string | null;
  task: string | null;
  data: string;
}

function toEvent(r: EventRow): OrchEvent {
  return { id: r.id, at: r.at, kind: r.kind, worker: r.worker, task: r.task, data: JSON.parse(r.data) };
}

/**
 * An event about a worker (and maybe one of its tasks), stamped `at` (default now): what
 * {@link EventsRepo.append} takes.
 *
 * @example
 * ```ts
 * store.events.append(workerEvent("worker.dead", "c1", { reason: "agent exited with status 137" }));
 * store.events.append(workerEvent("task.failed", "c1", { error }, taskId));
 * ```
 */
export function workerEvent(
  kind: string,
  worker: string,
  data: Record<string, unknown> = {},
  task: string | null = null,
  at: number = Date.now(),
): Omit<OrchEvent, "id"> {
  return { at, kind, worker, task, data };
}

/**
 * The events repository over `db` (a migrated store connection); statements are prepared
 * here, once. `data` is stored as JSON text, so it must be JSON-serialisable.
 *
 * @example
 * ```ts
 * const events = createEventsRepo(db);
 * const e = events.append({ at: Date.now(), kind: "task.finished", worker: "c1", task: id, data: { exit: 0 } });
 * events.list({ afterId: e.id - 1 }); // [e]
 * ```
 */
export function createEventsRepo(db: Database): EventsRepo {
  const insertStmt = db.prepare<{ id: number }, [Omit<EventRow, "id">]>(
    "INSERT INTO events (at, kind, worker, task, data) VALUES ($at, $kind, $worker, $task, $data) RETURNING id",
  );
  const listStmt = db.prepare<EventRow, [number, number]>(
    "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?",
  );

  const latestStmt = db.prepare<EventRow, [number]>(
    "SELECT * FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id",
  );
  const listeners = new Set<(e: OrchEvent) => void>();
  return {
    append(e) {
      const json = JSON.stringify(e.data ?? {});
      const row = insertStmt.get({ at: e.at, kind: e.kind, worker: e.worker, task: e.task, data: json });
      // Parsed back, so the caller gets exactly what list() will return (and not its own object).
      const event = {
        id: row!.id,
        at: e.at,
        kind: e.kind,
        worker: e.worker,
        task: e.task,
        data: JSON.parse(json),
      };
      for (const l of listeners) l(event);
      return event;
    },
    latest(limit) {
      return latestStmt.all(limit).map(toEvent);
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    list(opts = {}) {
      const { afterId = 0, limit } = opts;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
        throw new RangeError(`events.list: limit must be a whole number, 0 or more; got ${limit}`);
      }
      return listStmt.all(afterId, limit ?? -1).map(toEvent);
    },
  };
}
