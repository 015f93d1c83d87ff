import { taskJson, workerJson } from "../../controller/task-json.ts";
import type { Store } from "../../store/index.ts";
import { runJson } from "../runs/run-view.ts";

/**
 * The seed's state.json: every worker, task and workflow run, as the API's JSON.
 *
 * @example
 * ```ts
 * writeFileSync("state.json", JSON.stringify(exportState(store), null, 2));
 * ```
 */
export function exportState(store: Store, now = Date.now()) {
  return {
    exportedAt: new Date(now).toISOString(),
    workers: store.workers.list().map((w) => workerJson(w, false)),
    tasks: store.tasks.list().map(taskJson),
    runs: store.runs.list().map(runJson),
  };
}
