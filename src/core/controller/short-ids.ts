/** Task and Worker JSON as the API answers them: with the short task ids tables show. */

import { shortTaskId } from "../domain/id-prefix.ts";
import type { Task, Worker } from "../domain/types.ts";
import type { IdIndex } from "../store/index.ts";
import { type TaskJson, taskJson, type WorkerJson, workerJson } from "./task-json.ts";

/** Task JSON plus `shortId`: the shortest prefix of `id` no other task's id starts with (see shortTaskId). */
export type ShownTaskJson = TaskJson & { shortId: string };
/** Worker JSON plus `currentTaskShortId`, the short id of `currentTask` (null when it has none). */
export type ShownWorkerJson = WorkerJson & { currentTaskShortId: string | null };

/**
 * Makers of Task and Worker JSON that carry short task ids, read from `ids` (the store's task
 * ids) when the JSON is made.
 *
 * @example
 * ```ts
 * const shown = shortIdJson(store.tasks.ids);
 * shown.task(task).shortId; // "01a23575-8e83"
 * ```
 */
export function shortIdJson(ids: IdIndex) {
  const short = (id: string) => shortTaskId(id, ids.around(id), Date.now());
  return {
    task: (t: Task): ShownTaskJson => ({ ...taskJson(t), shortId: short(t.id) }),
    worker: (w: Worker, ready: boolean): ShownWorkerJson => ({
      ...workerJson(w, ready),
      currentTaskShortId: w.currentTask ? short(w.currentTask) : null,
    }),
  };
}
