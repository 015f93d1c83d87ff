import { afterAll, beforeEach } from "bun:test";
/** Shared fixtures for the store tests: temp folders and complete domain records. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Task, Worker } from "../../../src/core/domain/types.ts";
import { openStore, type Store } from "../../../src/core/store/index.ts";

/**
 * A temp folder for one test file; call `cleanup()` in afterAll.
 *
 * @example
 * ```ts
 * const tmp = tempDir(); afterAll(tmp.cleanup);
 * openStore(tmp.file("orch.db"));
 * ```
 */
/**
 * Registers hooks that open a fresh store file before each test (closing the last one) and
 * clean up after all; `set` receives each new store.
 */
export function storePerTest(set: (s: Store) => void): ReturnType<typeof tempDir> {
  const tmp = tempDir();
  let current: Store | undefined;
  beforeEach(() => {
    current?.close();
    current = openStore(tmp.file("orch.db"));
    set(current);
  });
  afterAll(() => {
    current?.close();
    tmp.cleanup();
  });
  return tmp;
}

export function tempDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "orch-store-test-"));
  let n = 0;
  return {
    dir,
    file: (name) => join(dir, `${n++}`, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A complete worker with every field set, overridable. */
export function makeWorker(over: Partial<Worker> = {}): Worker {
  return {
    id: crypto.randomUUID(),
    name: "c1",
    type: "shell",
    project: "/src/app",
    worktree: null,
    state: "idle",
    paneId: "%3",
    currentTask: null,
    restarts: 0,
    createdAt: 1_700_000_000_000,
    error: null,
    host: "local",
    ...over,
  };
}

/** A complete queued task with every field set, overridable. */
export function makeTask(over: Partial<Omit<Task, "seq">> = {}): Omit<Task, "seq"> {
  return {
    id: crypto.randomUUID(),
    worker: "c1",
    text: "echo hi",
    priority: 3,
    status: "queued",
    exitCode: null,
    output: null,
    submittedAt: 1_700_000_000_000,
    startedAt: null,
    finishedAt: null,
    attempts: 0,
    error: null,
    timeoutMs: 30_000,
    result: null,
    agentType: null,
    project: null,
    runId: null,
    step: null,
    maxRetries: 0,
    notBefore: 0,
    rank: (over.submittedAt ?? 1_700_000_000_000) + ((over.priority ?? 3) - 1) * 60_000,
    ...over,
  };
}
