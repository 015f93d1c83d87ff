/**
 * Liveness with a real (in-memory) store and a recorded task flow: a death told without its
 * status gets its real reason from a later report; a death already told exactly keeps it.
 */
import { describe, expect, test } from "bun:test";
import { Liveness } from "../../../src/core/controller/liveness.ts";
import type { Logger } from "../../../src/core/controller/logger.ts";
import type { TaskFlow } from "../../../src/core/controller/task-flow.ts";
import { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { openStore } from "../../../src/core/store/index.ts";
import { markerPlugin } from "../../helpers/fake-pane.ts";

function ward() {
  const store = openStore(":memory:");
  store.workers.insert({
    id: "id-w",
    name: "w",
    type: "t-marker",
    project: "/p",
    worktree: null,
    state: "idle",
    paneId: "%1",
    currentTask: null,
    restarts: 0,
    createdAt: 1,
    host: "local",
    error: null,
  });
  const rt = new WorkerRuntime("id-w", "w", markerPlugin(), /\$ $/);
  rt.paneId = "%1";
  rt.phase = "ready";
  const revives: string[] = [];
  const logger = { log() {} } as unknown as Logger;
  const flow = { fail() {} } as unknown as TaskFlow;
  const liveness = new Liveness({
    store,
    logger,
    flow,
    afterDeath: (w) => revives.push(w),
    stopping: () => false,
  });
  return { store, rt, liveness, revives };
}

describe("Liveness", () => {
  test("a death told as 'status ?' takes the signal a later report carries, once", () => {
    const { store, rt, liveness, revives } = ward();
    liveness.exited(rt, "agent exited with status ?");
    expect(store.workers.get("w")!.error).toBe("agent exited with status ?");
    liveness.exited(rt, "agent killed by signal 9 (SIGKILL)");
    expect(store.workers.get("w")!.error).toBe("agent killed by signal 9 (SIGKILL)");
    expect(rt.deathReason).toBe("agent killed by signal 9 (SIGKILL)");
    liveness.exited(rt, "agent exited with status 1");
    expect(store.workers.get("w")!.error).toBe("agent killed by signal 9 (SIGKILL)");
    expect(revives).toEqual(["w"]);
    expect(store.events.list({}).filter((e) => e.kind === "worker.dead")).toHaveLength(1);
  });

  test("a later exact reason does not touch a worker that has a new pane by then", () => {
    const { store, rt, liveness } = ward();
    liveness.exited(rt, "agent exited with status ?");
    store.workers.update("w", { paneId: "%2", state: "idle", error: null });
    liveness.exited(rt, "agent exited with status 0");
    expect(store.workers.get("w")!.error).toBeNull();
  });
});
