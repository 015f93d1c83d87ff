/** A task's timeout with its worker's host away: left in flight for the host's return, not failed. */
import { describe, expect, test } from "bun:test";
import { timeOutTask } from "../../../src/core/controller/task-timeout.ts";
import { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { openStore } from "../../../src/core/store/index.ts";
import type { PaneOps } from "../../../src/core/tmux/pane-ops.ts";
import { markerPlugin } from "../../helpers/fake-pane.ts";
import { makeTask, makeWorker } from "../store/helpers.ts";

function setup(away: boolean) {
  const store = openStore(":memory:");
  store.workers.insert(makeWorker({ name: "r2", host: "h2" }));
  const task = store.tasks.insert(makeTask({ worker: "r2", status: "running", timeoutMs: 30_000 }));
  const rt = new WorkerRuntime("id-r2", "r2", markerPlugin(), /\$ $/);
  rt.paneId = "%3";
  const failed: string[] = [];
  const keys: string[][] = [];
  const logged: string[] = [];
  const ops = { sendKeys: async (_p: string, k: string[]) => void keys.push(k) } as unknown as PaneOps;
  timeOutTask(
    {
      store,
      logger: { log: (_l, msg) => void logged.push(msg) },
      ops: () => ops,
      away: () => away,
      fail: (_rt, _id, status, error) => void failed.push(`${status}: ${error}`),
    },
    rt,
    task.id,
  );
  return { failed, keys, logged, close: () => store.close() };
}

describe("timeOutTask", () => {
  test("the host is away: nothing is failed or typed; the log says it waits for the host", () => {
    const s = setup(true);
    expect(s.failed).toEqual([]);
    expect(s.keys).toEqual([]);
    expect(s.logged).toEqual(["task's time is up while its host is away: decided when it is back"]);
    s.close();
  });

  test("the host is there: timed out and interrupted", async () => {
    const s = setup(false);
    expect(s.failed).toEqual(["timed_out: timed out after 30 s; interrupted with C-c"]);
    await Promise.resolve();
    expect(s.keys).toEqual([["C-c"]]);
    s.close();
  });
});
