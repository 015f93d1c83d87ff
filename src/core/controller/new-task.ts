import { newTaskId } from "../runtime/task-id.ts";
import type { NewTask } from "../store/index.ts";

/**
 * A queued task with everything not given at its default: normal priority, submitted now,
 * no retries. Its id is a UUIDv7: ids sort by creation time, and each lands at the end of the
 * store's id index instead of on a random page of it.
 */
export function newTask(t: Partial<NewTask> & Pick<NewTask, "text" | "timeoutMs">): NewTask {
  return {
    id: newTaskId(),
    worker: null,
    priority: 3,
    status: "queued",
    exitCode: null,
    output: null,
    submittedAt: Date.now(),
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    error: null,
    result: null,
    ...t,
  };
}
