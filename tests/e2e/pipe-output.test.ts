/**
 * Output through a pipe (issue 16, defect 1): every command that prints gives a slow pipe
 * reader exactly the bytes a file redirect gets, also past 1 MB (a pipe holds 64 KiB; the
 * CLI used to exit with the rest unwritten), and a reader that goes away (`| head -1`) ends
 * the command quietly with 141, as `seq 1 1000000 | head -1` ends in a shell.
 *
 * One controller, one shell worker whose panes are 1000x1100, so that one task printing
 * 1200 lines of 999 characters fills the screen (`capture`) and prints 1.2 MB (`task`,
 * `logs`, `send --wait`, `submit --wait`). The lists are big because the store is seeded
 * before the controller starts (no task runs for them): 4,000 workers of an agent type that
 * is not loaded (listed in error, never started), 6,000 finished tasks, 15,000 runs, 10,000
 * events, and one run of 5,000 failed tasks for `report`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { orchPaths } from "../../src/core/controller/paths.ts";
import { openStore } from "../../src/core/store/index.ts";
import { OrchHarness, type TaskJson } from "../helpers/orch-harness.ts";

const MB = 1_000_000;
/** A task that prints 1.2 MB: 1200 lines of 999 characters (wider than 999 would wrap). */
const BIG = "yes \"$(printf '%0999d' 7)\" | head -n 1200";
const BIG_OUTPUT = `${"0".repeat(998)}7\n`.repeat(1200);

/** Reads its stdin in 16 KiB reads, 1 ms apart, after 200 ms: a reader slower than orch. */
const SLOW_READER = `
import sys, time
out = open(sys.argv[1], "wb")
time.sleep(0.2)
while True:
    chunk = sys.stdin.buffer.read1(16384)
    if not chunk:
        break
    out.write(chunk)
    time.sleep(0.001)
`;

interface Piped {
  /** orch's exit status as the shell saw it. */
  code: number;
  /** What the pipe's reader got. */
  bytes: Buffer;
  /** orch's stderr, when only stdout went into the pipe. */
  stderr: string;
}

describe("output through a pipe (compiled binary)", () => {
  const orch = new OrchHarness("dist", {
    ORCH_PANE_WIDTH: "1000",
    ORCH_PANE_HEIGHT: "1100",
    // nothing may print into the pane between the two runs a case compares
    ORCH_HEALTH_CHECK_INTERVAL: "3600",
    // the 1.2 MB outputs are stored whole (the default cap is 1 MB)
    ORCH_MAX_OUTPUT_BYTES: "4000000",
  });
  const reader = join(orch.root, "slow-reader.py");
  const badWorkflow = join(orch.root, "bad.yaml");
  let bigTask = "";
  let reportRun = "";
  let runs = 0;

  /**
   * Runs `orch ARGS | PIPETO` in bash, `streams` naming which of orch's streams go into the
   * pipe (PIPETO writes what it keeps to $GOT): orch's exit status as the shell saw it, what
   * the reader kept, and orch's stderr when that is not in the pipe.
   */
  async function shell(
    args: string[],
    pipeTo: string,
    streams: "stdout" | "stderr" | "both",
  ): Promise<Piped> {
    const n = runs++;
    const got = join(orch.root, `piped-${n}`);
    const errFile = join(orch.root, `stderr-${n}`);
    const redirect = { stdout: `2>"$ERR"`, stderr: `2>&1 >/dev/null`, both: "2>&1" }[streams];
    const script = `"$@" ${redirect} | ${pipeTo}; echo "\${PIPESTATUS[0]}" >"$ERR.code"`;
    const p = Bun.spawn(["bash", "-c", script, "bash", ...orch.command(), ...args], {
      env: { ...orch.childEnv(), ERR: errFile, GOT: got, READER: reader },
      stdio: ["ignore", "inherit", "inherit"],
    });
    expect(await p.exited).toBe(0);
    const read = (f: string) => {
      try {
        return readFileSync(f);
      } catch {
        return Buffer.alloc(0);
      }
    };
    return {
      code: Number(read(`${errFile}.code`).toString().trim()),
      bytes: read(got),
      stderr: read(errFile).toString(),
    };
  }

  const throughSlowPipe = (args: string[], streams: "stdout" | "stderr" | "both" = "stdout") =>
    shell(args, `python3 "$READER" "$GOT"`, streams);

  /** `orch ARGS >FILE` (or `2>FILE`): what a file gets. */
  async function toFile(args: string[], stream: "stdout" | "stderr" = "stdout"): Promise<Piped> {
    const n = runs++;
    const file = join(orch.root, `file-${n}`);
    const p = Bun.spawn([...orch.command(), ...args], {
      env: orch.childEnv(),
      stdin: "ignore",
      stdout: stream === "stdout" ? Bun.file(file) : "ignore",
      stderr: stream === "stderr" ? Bun.file(file) : "ignore",
    });
    const code = await p.exited;
    return { code, bytes: readFileSync(file), stderr: "" };
  }

  /** The same command through a slow pipe and into a file: the same bytes and exit code. */
  async function expectSameAsFile(
    args: string[],
    stream: "stdout" | "stderr" = "stdout",
    normalize = (s: string) => s,
  ) {
    const file = await toFile(args, stream);
    const piped = await throughSlowPipe(args, stream);
    expect(file.bytes.length).toBeGreaterThan(MB);
    const same = normalize(piped.bytes.toString()) === normalize(file.bytes.toString());
    // and, when only stdout is in the pipe, nothing on stderr (no EPIPE stack trace)
    expect({ code: piped.code, bytes: piped.bytes.length, same, stderr: piped.stderr }).toEqual({
      code: file.code,
      bytes: file.bytes.length,
      same: true,
      stderr: "",
    });
  }

  beforeAll(async () => {
    writeFileSync(reader, SLOW_READER);
    // a refusal lists its first 20 errors: 4 steps with 6 keys of 40,000 characters a step
    // does not have (each error names its key twice) make 1.3 MB of them; explicit keys (`? `),
    // since YAML allows an implicit one at most 1024 characters
    const keys = Array.from({ length: 6 }, (_, k) => `    ? ${"k".repeat(40_000)}${k}\n    : 1\n`).join("");
    const steps = Array.from({ length: 4 }, (_, i) => `  - name: s${i}\n${keys}`);
    writeFileSync(badWorkflow, `name: bad\nsteps:\n${steps.join("")}`);
    reportRun = seedStore(orch.home);
    await orch.startWithWorker("w");
    const big = await orch.sendWait("w", BIG);
    expect({ status: big.status, output: big.output === BIG_OUTPUT }).toEqual({
      status: "succeeded",
      output: true,
    });
    bigTask = big.id;
  }, 120_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("results, text and --json", async () => {
    await expectSameAsFile(["results"]);
    await expectSameAsFile(["results", "--json"]);
  }, 60_000);

  test("task ID, text and --json", async () => {
    await expectSameAsFile(["task", bigTask]);
    await expectSameAsFile(["task", bigTask, "--json"]);
  }, 60_000);

  test("report RUN, md and json", async () => {
    await expectSameAsFile(["report", reportRun]);
    await expectSameAsFile(["report", reportRun, "--format", "json"]);
  }, 60_000);

  test("export-state (its exportedAt aside)", async () => {
    const exportedAt = (s: string) => s.replace(/"exportedAt": "[^"]*"/, '"exportedAt": ""');
    await expectSameAsFile(["export-state"], "stdout", exportedAt);
  }, 60_000);

  test("capture WORKER, text and --json", async () => {
    await expectSameAsFile(["capture", "w"]);
    await expectSameAsFile(["capture", "w", "--json"]);
  }, 60_000);

  test("logs WORKER, text and --json", async () => {
    await expectSameAsFile(["logs", "w"]);
    await expectSameAsFile(["logs", "w", "--json"]);
  }, 60_000);

  test("events, text and --json", async () => {
    await expectSameAsFile(["events", "--limit", "10000"]);
    await expectSameAsFile(["events", "--limit", "10000", "--json"]);
  }, 60_000);

  test("runs, text and --json", async () => {
    await expectSameAsFile(["runs", "--limit", "20000"]);
    await expectSameAsFile(["runs", "--limit", "20000", "--json"]);
  }, 60_000);

  test("status, text and --json", async () => {
    await expectSameAsFile(["status"]);
    await expectSameAsFile(["status", "--json"]);
  }, 60_000);

  test("stderr: a workflow's refusal of 1.3 MB (20 errors of 80 KB)", async () => {
    await expectSameAsFile(["run", badWorkflow], "stderr");
  }, 60_000);

  test("send --wait: the whole output, then (2>&1) the failure on stderr after it", async () => {
    const r = await throughSlowPipe(["send", "w", "--wait", "--", `${BIG}; false`], "both");
    expect(r.code).toBe(1);
    const text = r.bytes.toString();
    expect(text.slice(0, BIG_OUTPUT.length) === BIG_OUTPUT).toBe(true);
    expect(text.slice(BIG_OUTPUT.length)).toMatch(/^orch: task [0-9a-f-]{36} failed: [^\n]*\n$/);
  }, 60_000);

  test("submit --wait --json: JSON that parses, with the whole output", async () => {
    const r = await throughSlowPipe(["submit", "--type", "shell", "--wait", "--json", "--", BIG]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.bytes.length).toBeGreaterThan(MB);
    const t = JSON.parse(r.bytes.toString()) as TaskJson;
    expect(t.output === BIG_OUTPUT).toBe(true);
  }, 60_000);

  test("a reader that goes away: exit 141, nothing on stderr (seq 1 1000000 | head -1 gives 141 too)", async () => {
    const seq = Bun.spawnSync(["bash", "-c", `seq 1 1000000 | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`]);
    expect(seq.stdout.toString().trim()).toBe("141");
    const head = 'head -1 >"$GOT"';
    for (const args of [["results"], ["logs", "w"], ["task", bigTask, "--json"]]) {
      const r = await shell(args, head, "stdout");
      expect({ args, code: r.code, stderr: r.stderr, first: r.bytes.length > 0 }).toEqual({
        args,
        code: 141,
        stderr: "",
        first: true,
      });
    }
    // the reader of stderr goes away
    const r = await shell(["run", badWorkflow], head, "stderr");
    expect(r.code).toBe(141);
    expect(r.bytes.toString()).toStartWith("orch: ");
  }, 60_000);
});

/**
 * Fills a new store (before the controller starts) with lists of more than 1 MB; returns
 * the id of the run of 5,000 failed tasks.
 */
function seedStore(home: string): string {
  const store = openStore(orchPaths(home).db);
  const reportRun = randomUUID();
  const at = Date.parse("2025-01-02T03:04:05.678Z");
  const project = `/srv/${"long-project-folder-name/".repeat(8)}app`;
  store.transaction(() => {
    for (let i = 0; i < 4000; i++) {
      store.workers.insert({
        id: randomUUID(),
        name: `seeded-${i}`,
        type: "not-loaded",
        project,
        worktree: null,
        state: "idle",
        paneId: null,
        currentTask: null,
        restarts: 0,
        createdAt: at,
        host: "local",
        error: null,
      });
    }
    const task = (i: number, extra: Partial<Parameters<typeof store.tasks.insert>[0]> = {}) =>
      store.tasks.insert({
        id: randomUUID(),
        worker: `seeded-${i % 4000}`,
        text: `echo task number ${i} of the seeded store, padded to fifty chars`,
        priority: 3,
        status: "succeeded",
        exitCode: 0,
        output: `task number ${i}\n`,
        submittedAt: at + i,
        startedAt: at + i,
        finishedAt: at + i + 1,
        attempts: 1,
        error: null,
        timeoutMs: 30_000,
        result: null,
        ...extra,
      });
    for (let i = 0; i < 6000; i++) task(i);
    for (let i = 0; i < 15_000; i++) {
      const id = randomUUID();
      store.runs.insert(
        {
          id,
          name: `nightly-build-${i}-of-the-seeded-store`,
          file: null,
          workflow: { name: `nightly-build-${i}-of-the-seeded-store`, steps: [] },
          status: "succeeded",
          startedAt: at + i,
          finishedAt: at + i + 1000,
        },
        [],
      );
      store.runs.finish(id, "succeeded", at + i + 1000);
    }
    for (let i = 0; i < 10_000; i++) {
      store.events.append({
        at: at + i,
        kind: "task.failed",
        worker: `seeded-${i % 4000}`,
        task: randomUUID(),
        data: { exitCode: 1, error: `exit status 1 (seeded event ${i}, padded to make the line longer)` },
      });
    }
    const workflow = { name: "big", steps: [{ name: "test", text: "false" }] };
    store.runs.insert(
      {
        id: reportRun,
        name: "big",
        file: null,
        workflow,
        status: "failed",
        startedAt: at,
        finishedAt: at + 60_000,
      },
      ["test"],
    );
    store.runs.finish(reportRun, "failed", at + 60_000);
    store.runs.setStep(reportRun, "test", { status: "failed", startedAt: at, finishedAt: at + 60_000 });
    for (let i = 0; i < 5000; i++) {
      task(i, {
        status: "failed",
        exitCode: 1,
        error: "exit status 1",
        output: `${"some failing test output line\n".repeat(20)}FAILED ${i}\n`,
        runId: reportRun,
        step: "test",
        agentType: "shell",
      });
    }
  });
  store.close();
  return reportRun;
}
