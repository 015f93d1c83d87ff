import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { OrchHarness, type RunResult, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

interface EventJson {
  id: number;
  kind: string;
  worker: string | null;
}

/** An orch command running in the background: what it printed so far, and its end. */
interface Background {
  stdout(): string;
  stderr(): string;
  done: Promise<RunResult>;
  kill(): void;
}

function background(orch: OrchHarness, args: string[], env: Record<string, string> = {}): Background {
  const p = Bun.spawn([...orch.command(), ...args], {
    env: orch.childEnv(env),
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  let out = "";
  let err = "";
  const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
    const d = new TextDecoder();
    for await (const c of s) add(d.decode(c, { stream: true }));
  };
  const outDone = pump(p.stdout, (t) => {
    out += t;
  });
  const errDone = pump(p.stderr, (t) => {
    err += t;
  });
  const done = (async () => {
    const code = await p.exited;
    await Promise.all([outDone, errDone]);
    return { code, stdout: out, stderr: err };
  })();
  return { stdout: () => out, stderr: () => err, done, kill: () => p.kill() };
}

/** The command's end within `ms`, or an error naming it and what it printed. */
async function ended(what: string, b: Background, ms = 45_000): Promise<RunResult> {
  const timer = Bun.sleep(ms).then(() => null);
  const r = await Promise.race([b.done, timer]);
  if (r) return r;
  b.kill();
  throw new Error(`${what} did not end within ${ms} ms\nstdout: ${b.stdout()}\nstderr: ${b.stderr()}`);
}

/** A stack trace's lines ("    at f (file:1:2)") never reach the user. */
const STACK_LINE = /^\s+at /m;
/** The one line a client prints when the controller has been gone for 2 s (see reconnect.ts). */
const WAITING_LINE =
  /^orch: the controller at .* is not answering; waiting up to \d+ s for it to come back \(ORCH_RECONNECT_WAIT\)\n/;

describe("waiting clients survive a restart of the controller (compiled binary)", () => {
  // no automatic revives: the restart must not disturb the workers
  const orch = new OrchHarness("dist", { ORCH_REVIVE_DELAY: "3600", ORCH_HEALTH_CHECK_INTERVAL: "3600" });
  beforeAll(async () => {
    const p = await orch.startWithWorker("w");
    await orch.ok(["add-worker", "--type", "shell", "--project", p, "--name", "w2"]);
    orch.project("p2");
    orch.project("p3");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("send/task/submit --wait, run, events -f and logs -f carry on across orch stop; orch start", async () => {
    const events = background(orch, ["events", "-f", "--json", "--limit", "1"]);
    const logs = background(orch, ["logs", "-f", "w2"]);
    // each task waits for the file GO, made once the controller is back
    const go = `${orch.root}/go`;
    const after = (text: string) => `while [ ! -e ${go} ]; do sleep 0.1; done; echo ${text}`;
    const send = background(orch, ["send", "w", after("finished"), "--wait"]);
    const id = (await orch.ok(["send", "w2", `echo before-restart; ${after("two")}`])).trim();
    const task = background(orch, ["task", id, "--wait", "--json"]);
    const submit = background(orch, [
      "submit",
      "--type",
      "shell",
      "--project",
      `${orch.projects}/p2`,
      "--wait",
      "--",
      after("three"),
    ]);
    const run = background(orch, ["run", "--projects", `${orch.projects}/p3`, "--", after("four")]);
    // every task is running before the controller goes away
    await waitFor(
      "four running tasks",
      async () => {
        const tasks = await orch.json<TaskJson[]>(["results"]);
        return tasks.filter((t) => t.status === "running").length === 4;
      },
      40_000,
    );
    await waitFor("logs -f to print what w2 printed", () => logs.stdout().includes("before-restart"));
    await orch.ok(["stop"]);
    await orch.ok(["start"]);
    writeFileSync(go, "");

    const sent = await ended("send --wait", send);
    // a restart that took more than 2 s is said once on stderr; nothing else is
    expect({ ...sent, stderr: sent.stderr.replace(WAITING_LINE, "") }).toEqual({
      code: 0,
      stdout: "finished\n",
      stderr: "",
    });
    const waited = await ended("task --wait", task);
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ id, status: "succeeded" });
    expect((JSON.parse(waited.stdout) as TaskJson).output).toContain("two\n");
    const submitted = await ended("submit --wait", submit);
    expect({ ...submitted, stderr: submitted.stderr.replace(WAITING_LINE, "") }).toEqual({
      code: 0,
      stdout: "three\n",
      stderr: "",
    });
    const ran = await ended("run", run);
    expect(ran.code).toBe(0);
    expect(ran.stderr).not.toMatch(STACK_LINE);
    expect(ran.stdout).toMatch(/succeeded/);

    // logs -f goes on from where it was (nothing twice, nothing missing) and ends with its worker
    await orch.ok(["send", "w2", "echo after-restart", "--wait"]);
    // the whole log once the task's end marker is in it; after that w2 prints only its prompt,
    // which the log's masking filter holds until a newline or its end (the kill)
    const whole = await waitFor("the end of the task in w2's log", async () => {
      const log = await orch.ok(["logs", "w2"]);
      return /after-restart\n---END-OF-OUTPUT-[^\n]*---\n$/.test(log) ? log : null;
    });
    await orch.ok(["kill-worker", "w2"]);
    const followed = await ended("logs -f after kill-worker", logs, 15_000);
    expect(followed.code).toBe(0);
    expect(followed.stderr.replace(WAITING_LINE, "")).toBe("");
    expect(followed.stdout.startsWith(whole)).toBe(true);
    expect(followed.stdout.slice(whole.length)).toMatch(/^(\$ )?$/);

    // events -f printed each event once, in order, none left out, also those after the restart
    await waitFor("events -f to print the kill", () => events.stdout().includes('"worker.killed"'));
    events.kill();
    const printed = (await events.done).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson);
    const all = (await orch.ok(["events", "--json", "--limit", "1000"]))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as EventJson);
    const firstId = printed[0]!.id;
    expect(printed.map((e) => e.id)).toEqual(all.filter((e) => e.id >= firstId).map((e) => e.id));
    expect(printed.some((e) => e.kind === "worker.killed" && e.worker === "w2")).toBe(true);
    for (const r of [sent, waited, submitted, ran, followed]) expect(r.stderr).not.toMatch(STACK_LINE);
  }, 120_000);

  test("a client whose controller stays away gives up after ORCH_RECONNECT_WAIT: exit 3 saying so", async () => {
    const id = (await orch.ok(["send", "w", "sleep 5; echo late"])).trim();
    const task = background(orch, ["task", id, "--wait"], { ORCH_RECONNECT_WAIT: "3" });
    await waitFor(
      "the task running",
      async () => (await orch.json<TaskJson>(["task", id])).status === "running",
    );
    await orch.ok(["stop"]);
    const r = await ended("task --wait without a controller", task, 20_000);
    expect(r.code).toBe(3);
    // after 2 s it says it is waiting, once; after 3 s it gives up
    expect(r.stderr).toMatch(
      /^orch: the controller at .+ is not answering; waiting up to 3 s for it to come back \(ORCH_RECONNECT_WAIT\)\norch: orch is not running at .+ \(waited 3 s for it to come back\): run 'orch start'\n$/,
    );
    // started with no controller at all: exit 3 at once, as before (nothing to come back)
    const none = await ended(
      "task --wait with no controller",
      background(orch, ["task", id, "--wait"]),
      20_000,
    );
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(
      /^orch: orch is not running \(no controller answers on .+\): run 'orch start'\n$/,
    );
    await orch.ok(["start"]);
    expect((await orch.waitTask(id)).output).toBe("late\n");
  }, 60_000);
});
