/**
 * A task whose dispatch was stored but whose keys never reached the pane (the controller
 * killed in between; found by the kill -9 suite: the task waited out its whole timeout and
 * its worker with it). The pane's `@orch_sent` option, set by tmux in the same command list as
 * the submit keys, tells the next controller which it was. Made exact here through the
 * compiled binary: a finished task is put back to "dispatched" in the stopped controller's
 * store, and the pane's option says either that it was submitted or that it never was.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type StatusJson, type TaskJson } from "../helpers/orch-harness.ts";

/** Puts a finished task back in flight on `worker`, as a controller killed after its dispatch left it. */
function backToDispatched(home: string, taskId: string, worker: string): void {
  const db = new Database(join(home, "orch.db"));
  try {
    db.run(
      "UPDATE tasks SET status = 'dispatched', exit_code = NULL, output = NULL, started_at = NULL, finished_at = NULL WHERE id = ?",
      [taskId],
    );
    db.run("UPDATE workers SET state = 'running', current_task = ? WHERE name = ?", [taskId, worker]);
  } finally {
    db.close();
  }
}

function runLines(file: string): string[] {
  return readFileSync(file, "utf8").trim().split("\n");
}

describe("a dispatched task the controller may not have typed (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  let project = "";
  let runs = "";
  let paneId = "";
  beforeAll(async () => {
    project = await orch.startWithWorker("w1");
    runs = join(project, "runs.txt");
    writeFileSync(runs, "");
    paneId = (await orch.json<StatusJson>(["status"])).workers[0]!.paneId!;
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  /** A task run to its end, then the controller stopped (its agent kept) and the task put back. */
  async function taskPutBack(label: string): Promise<TaskJson> {
    const t = await orch.sendWait("w1", `echo ${label} >> ${runs}; echo out-${label}`, 30);
    expect(t.status).toBe("succeeded");
    expect(orch.tmux("show-options", "-p", "-v", "-t", paneId, "@orch_sent").stdout.trim()).toBe(`${t.id}.1`);
    await orch.ok(["stop"]);
    backToDispatched(orch.home, t.id, "w1");
    return t;
  }

  test("the pane says it was submitted: its end is taken from the pane's log, and it is not typed again", async () => {
    const t = await taskPutBack("A");
    await orch.ok(["start"]);
    const done = await orch.waitTask(t.id, 30_000);
    expect({ status: done.status, output: done.output, attempts: done.attempts }).toEqual({
      status: "succeeded",
      output: "out-A\n",
      attempts: 1,
    });
    expect(runLines(runs).filter((l) => l === "A")).toEqual(["A"]);
  }, 60_000);

  test("the pane says it never was: it is typed now, as the same first attempt, and the event says why", async () => {
    const t = await taskPutBack("B");
    // as if the controller died before tmux ran the submit keys: the pane names the task before
    expect(orch.tmux("set-option", "-p", "-t", paneId, "@orch_sent", "-").code).toBe(0);
    await orch.ok(["start"]);
    const done = await orch.waitTask(t.id, 30_000);
    expect({ status: done.status, output: done.output, attempts: done.attempts }).toEqual({
      status: "succeeded",
      output: "out-B\n",
      attempts: 1,
    });
    // run again (the first run is the one this test pretends never happened)
    expect(runLines(runs).filter((l) => l === "B")).toEqual(["B", "B"]);
    // (one JSON event per line)
    const events = (await orch.ok(["events", "--json", "--limit", "200"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { kind: string; task: string | null; data: { error?: string } });
    const requeued = events.filter((e) => e.kind === "task.requeued" && e.task === t.id);
    expect(requeued.map((e) => e.data.error)).toEqual([
      "the controller stopped before the task reached the agent",
    ]);
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers.map((w) => [w.name, w.state, w.restarts])).toEqual([["w1", "idle", 0]]);
  }, 60_000);
});
