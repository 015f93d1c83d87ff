/**
 * Output retention (issue 17), through the compiled binary: a task's stored output is capped
 * at maxOutputBytes (default 1 MB) with the cut marked, its whole output (masked) is in a 0600
 * file that `orch task ID --full` prints; pane logs rotate by size and crash recovery still
 * finds a task that a rotation cut in two; `orch prune` removes final tasks older than an age
 * with their output files, and never a running one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { alive, OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

const CAP = 1_048_576;
/** 30,000 lines of 100 characters (3 MB), a secret on the first line and on the last. */
const BIG =
  "echo DB_PASSWORD=hunter2hunter2first; yes \"$(printf '%099d' 5)\" | head -n 30000; echo api_key=hunter2hunter2last";
const LINE = `${"0".repeat(98)}5\n`;
const BIG_MASKED = `DB_PASSWORD=[MASKED:secret]\n${LINE.repeat(30_000)}api_key=[MASKED:secret]\n`;

type Task = TaskJson & { outputBytes: number | null };

interface PruneJson {
  dryRun: boolean;
  cutoff: string;
  tasks: string[];
  files: string[];
  bytes: number;
}

describe("output retention (compiled binary)", () => {
  const orch = new OrchHarness("dist", {
    ORCH_PANE_LOG_MAX_BYTES: "65536",
    // the housekeeping (log rotation) runs after each health pass
    ORCH_HEALTH_CHECK_INTERVAL: "0.5",
    ORCH_COMMAND_TIMEOUT: "120",
  });
  let project = "";
  let big: Task;

  beforeAll(async () => {
    project = await orch.startWithWorker("w1");
    await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", "w2"]);
    big = (await orch.sendWait("w1", BIG, 120)) as Task;
  }, 120_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("a 3 MB output is stored capped, head and tail kept and the cut marked; --full prints all of it, masked", async () => {
    expect(big.status).toBe("succeeded");
    const stored = big.output ?? "";
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(CAP);
    expect(stored.startsWith(`DB_PASSWORD=[MASKED:secret]\n${LINE}`)).toBe(true);
    expect(stored.endsWith(`${LINE}api_key=[MASKED:secret]\n`)).toBe(true);
    expect(stored).toContain(`[orch: output cut here: `);
    expect(stored).toContain(`orch task ${big.id} --full`);
    expect(stored).not.toContain("hunter2");

    const file = join(orch.home, "outputs", `${big.id}.out`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(big.outputBytes).toBe(statSync(file).size);

    const full = await orch.run(["task", big.id.slice(0, 13), "--full"]);
    expect(full.code).toBe(0);
    expect(full.stdout.length).toBe(BIG_MASKED.length);
    expect(full.stdout === BIG_MASKED).toBe(true);
    // a task that was not cut: --full prints its stored output
    const small = await orch.sendWait("w2", "echo small");
    expect((await orch.run(["task", small.id, "--full"])).stdout).toBe("small\n");
  }, 60_000);

  test("a pane log past paneLogMaxBytes is rotated: NAME.log.1 holds the old part, the pane keeps logging", async () => {
    const log = join(orch.home, "logs", "w1.log");
    await waitFor("w1.log rotated", () => existsSync(`${log}.1`) && statSync(log).size < 65_536, 20_000);
    const after = await orch.sendWait("w1", "echo after-rotation");
    expect(after.output).toBe("after-rotation\n");
    await waitFor("the new log has the new task", () => readFileSync(log, "utf8").includes("after-rotation"));
    expect(statSync(log).mode & 0o777).toBe(0o600);
  }, 60_000);

  test("a task cut in two by a rotation is recovered from both logs after kill -9 of the controller", async () => {
    const log = join(orch.home, "logs", "w2.log");
    const marker = join(project, "go");
    // prints 200 KB (the log goes over the size), then waits for the test's go, then ends
    const sent = await orch.api<Task>("POST", "/v1/tasks", {
      worker: "w2",
      text: `yes "$(printf '%099d' 7)" | head -n 2000; while [ ! -e ${marker} ]; do sleep 0.1; done; echo the-end`,
      timeoutSec: 120,
    });
    const id = sent.body.id;
    await waitFor(
      "the task's start in the rotated log",
      () => existsSync(`${log}.1`) && readFileSync(`${log}.1`, "utf8").includes(`START-OF-OUTPUT-${id}`),
      30_000,
    );
    const pid = orch.controllerPid()!;
    process.kill(pid, "SIGKILL");
    await waitFor(`controller ${pid} gone`, () => !alive(pid));
    await Bun.write(marker, "");
    await waitFor("the end marker in the current log", () => readFileSync(log, "utf8").includes("the-end"));
    await orch.ok(["start"]);
    const t = await orch.waitTask(id, 60_000);
    expect(t.status).toBe("succeeded");
    const line7 = `${"0".repeat(98)}7\n`;
    expect(t.output).toBe(`${line7.repeat(2000)}the-end\n`);
  }, 120_000);

  test("prune removes final tasks older than the age with their output files, never a running one", async () => {
    const running = await orch.api<Task>("POST", "/v1/tasks", {
      worker: "w2",
      text: "sleep 60",
      timeoutSec: 120,
    });
    const runningId = running.body.id;
    await waitFor(
      "the sleep running",
      async () => (await orch.json<Task>(["task", runningId])).status === "running",
    );
    const file = join(orch.home, "outputs", `${big.id}.out`);
    // once everything final so far finished over a second ago
    const dry = await waitFor("the big task over a second old", async () => {
      const d = await orch.json<PruneJson>(["prune", "--older-than", "1s", "--dry-run"]);
      return d.tasks.includes(big.id) ? d : null;
    });
    expect(dry.dryRun).toBe(true);
    expect(dry.tasks).toContain(big.id);
    expect(dry.files).toContain(file);
    expect(existsSync(file)).toBe(true);
    expect((await orch.run(["task", big.id])).code).toBe(0);

    const r = await orch.json<PruneJson>(["prune", "--older-than", "1s"]);
    expect(r.dryRun).toBe(false);
    expect(r.tasks).toContain(big.id);
    expect(r.tasks).not.toContain(runningId);
    expect(r.files).toContain(file);
    expect(r.bytes).toBeGreaterThanOrEqual(big.outputBytes!);
    expect(existsSync(file)).toBe(false);
    expect((await orch.run(["task", big.id])).code).toBe(2);
    expect((await orch.json<Task>(["task", runningId])).status).toBe("running");

    const bad = await orch.run(["prune", "--older-than", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than "soon"');
    await orch.ok(["cancel", runningId]);
  }, 60_000);
});
