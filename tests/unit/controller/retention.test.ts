import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogRotation } from "../../../src/core/controller/log-rotation.ts";
import type { Logger } from "../../../src/core/controller/logger.ts";
import { NO_MASKING } from "../../../src/core/controller/masking.ts";
import { orchPaths, taskOutputPath } from "../../../src/core/controller/paths.ts";
import { pruneOlderThan } from "../../../src/core/controller/retention.ts";
import type { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { openStore, type Store } from "../../../src/core/store/index.ts";
import type { PaneOps } from "../../../src/core/tmux/pane-ops.ts";
import { makeTask, makeWorker } from "../store/helpers.ts";

const root = mkdtempSync(join(tmpdir(), "orch-retention-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
let paths = orchPaths(root);
let store: Store;

beforeEach(() => {
  paths = orchPaths(join(root, `home${++n}`));
  mkdirSync(paths.logsDir, { recursive: true });
  mkdirSync(paths.outputsDir, { recursive: true });
  store?.close();
  store = openStore(":memory:");
});

const DAY = 86_400_000;
const NOW = Date.now();

/** Writes `file` with `bytes` bytes, last written `daysAgo` days ago. */
function file(path: string, bytes: number, daysAgo: number): string {
  writeFileSync(path, "x".repeat(bytes));
  const t = new Date(NOW - daysAgo * DAY);
  utimesSync(path, t, t);
  return path;
}

describe("pruneOlderThan", () => {
  test("removes old final tasks with their output files, old rotated logs and logs of gone workers; keeps the rest", () => {
    store.workers.insert(makeWorker({ name: "w1" }));
    const oldTask = store.tasks.insert(
      makeTask({ worker: "w1", status: "succeeded", finishedAt: NOW - 40 * DAY, outputBytes: 100 }),
    );
    const newTask = store.tasks.insert(makeTask({ worker: "w1", status: "failed", finishedAt: NOW - DAY }));
    const running = store.tasks.insert(
      makeTask({ worker: "w1", status: "running", submittedAt: NOW - 90 * DAY }),
    );
    const oldOut = file(taskOutputPath(paths, oldTask.id), 100, 40);
    const newOut = file(taskOutputPath(paths, newTask.id), 50, 1);
    const runningOut = file(taskOutputPath(paths, running.id), 10, 40);
    const orphan = file(join(paths.outputsDir, "gone-task.out"), 7, 40);
    const liveLog = file(join(paths.logsDir, "w1.log"), 20, 40);
    const rotated = file(join(paths.logsDir, "w1.log.1"), 30, 40);
    const goneLog = file(join(paths.logsDir, "w9.log"), 40, 40);
    const goneRecent = file(join(paths.logsDir, "w8.log"), 40, 1);
    const controllerLog = file(paths.controllerLog, 60, 40);
    const cutoff = NOW - 30 * DAY;

    const dry = pruneOlderThan({ store, paths }, cutoff, true);
    expect(dry.dryRun).toBe(true);
    expect(dry.tasks).toEqual([oldTask.id]);
    expect(dry.files.sort()).toEqual([oldOut, orphan, rotated, goneLog].sort());
    expect(dry.bytes).toBe(100 + 7 + 30 + 40);
    for (const f of dry.files) expect(existsSync(f)).toBe(true);
    expect(store.tasks.get(oldTask.id)).not.toBeNull();

    const r = pruneOlderThan({ store, paths }, cutoff, false);
    expect({ ...r, files: r.files.sort() }).toEqual({ ...dry, dryRun: false, files: dry.files.sort() });
    expect(store.tasks.get(oldTask.id)).toBeNull();
    for (const f of r.files) expect(existsSync(f)).toBe(false);
    for (const kept of [newOut, runningOut, liveLog, goneRecent, controllerLog])
      expect(existsSync(kept)).toBe(true);
    expect(store.tasks.get(newTask.id)).not.toBeNull();
    expect(store.tasks.get(running.id)?.status).toBe("running");
  });
});

describe("LogRotation", () => {
  const logger = { log: () => undefined } as unknown as Logger;
  const piped: Array<{ pane: string; file: string; replace: boolean | undefined }> = [];
  /** Whether pane %1's pipe is orch's filter that follows a rename (PaneInfo.logFollowsRename). */
  let follows = false;
  const ops = {
    pipeToFile: async (pane: string, f: string, _filter?: string[] | null, replace?: boolean) => {
      piped.push({ pane, file: f, replace });
    },
    listPanes: async () => [{ paneId: "%1", logFollowsRename: follows }],
  } as unknown as PaneOps;

  function runtime(over: Partial<WorkerRuntime>): WorkerRuntime {
    return {
      name: "w1",
      paneId: "%1",
      phase: "ready",
      recovery: null,
      currentTaskId: null,
      dispatchedAt: null,
      host: "local",
      ...over,
    } as WorkerRuntime;
  }

  function rotation(rt: WorkerRuntime): LogRotation {
    return new LogRotation({
      paths,
      maxBytes: 1000,
      runtimes: new Map([[rt.name, rt]]),
      ops: () => ops,
      masking: NO_MASKING,
      logger,
    });
  }

  test("a log over the size is renamed to .log.1 and a raw pane pipe replaced by one into a new log", async () => {
    piped.length = 0;
    const log = join(paths.logsDir, "w1.log");
    file(log, 999, 0);
    const rot = rotation(runtime({}));
    expect(await rot.run()).toEqual([]);
    file(log, 1001, 0);
    expect(await rot.run()).toEqual(["w1"]);
    expect(statSync(`${log}.1`).size).toBe(1001);
    expect(statSync(log).size).toBe(0);
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(piped).toEqual([{ pane: "%1", file: log, replace: true }]);
  });

  test("a pipe that follows the rename by itself (orch's filter) is left open: only the rename", async () => {
    piped.length = 0;
    follows = true;
    const log = join(paths.logsDir, "w1.log");
    file(log, 1001, 0);
    try {
      expect(await rotation(runtime({})).run()).toEqual(["w1"]);
    } finally {
      follows = false;
    }
    expect(statSync(`${log}.1`).size).toBe(1001);
    expect(statSync(log).size).toBe(0);
    // tmux drops what it still holds for a pipe it closes: this one is not closed
    expect(piped).toEqual([]);
  });

  test("a pipe tmux refuses: the renamed log becomes the log again", async () => {
    const log = join(paths.logsDir, "w1.log");
    file(log, 2000, 0);
    const failing = {
      pipeToFile: async () => Promise.reject(new Error("no server")),
      listPanes: async () => [],
    } as unknown as PaneOps;
    const rot = new LogRotation({
      paths,
      maxBytes: 1000,
      runtimes: new Map([["w1", runtime({})]]),
      ops: () => failing,
      masking: NO_MASKING,
      logger,
    });
    expect(await rot.run()).toEqual([]);
    expect(statSync(log).size).toBe(2000);
    expect(existsSync(`${log}.1`)).toBe(false);
  });

  test("not twice during one task (its start would be lost), nor while a recovery reads the log, nor for a dead pane", async () => {
    const log = join(paths.logsDir, "w1.log");
    const dispatched = NOW - 5000;
    file(`${log}.1`, 10, 0); // the last rotation: after the task was handed to the pane
    file(log, 5000, 0);
    expect(await rotation(runtime({ currentTaskId: "t1", dispatchedAt: dispatched } as never)).run()).toEqual(
      [],
    );
    expect(await rotation(runtime({ recovery: {} as never })).run()).toEqual([]);
    expect(await rotation(runtime({ phase: "dead" })).run()).toEqual([]);
    // a host's log is on the host: not rotated from here
    expect(await rotation(runtime({ host: "build-1" })).run()).toEqual([]);
    // a task handed over after the last rotation may be cut in two once: recovery reads both files
    const t = new Date(dispatched - 1000);
    utimesSync(`${log}.1`, t, t);
    expect(await rotation(runtime({ currentTaskId: "t1", dispatchedAt: dispatched } as never)).run()).toEqual(
      ["w1"],
    );
  });
});
