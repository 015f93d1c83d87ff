/**
 * A plugin that misbehaves in each member, through the compiled binary: startup, frame,
 * detect.hook, detect.screen.latestTurn, result, approval.decide, rateLimitWaitMs and cleanup
 * each throw, or never answer (a promise that never settles; for the members that must answer
 * at once, any promise). The worker's start or the task fails naming the plugin and the
 * member; the controller (the same process) still answers, and a shell worker still runs a
 * task after each. Last, plugin code that leaves a rejected promise or throws from a timer:
 * the controller logs it with its stack and goes on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OrchHarness, type StatusJson, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

const PROMPT_AGENT = resolve(import.meta.dir, "..", "fixtures", "agents", "prompt-agent.sh");

/**
 * `flaky`: drives prompt-agent.sh, with hook and screen detection, permission prompts and rate
 * limits. Each member misbehaves when what it is given (the worker's name for startup and
 * cleanup, the task's text for frame, the hook's payload, the end of the screen for the rest)
 * says so: `MEMBER-throw` throws, `MEMBER-hang` hands back a promise that never settles,
 * `MEMBER-reject` one that rejects a moment later.
 */
const FLAKY = `import { definePlugin, pasteSafe } from "orch:sdk";

const AGENT = ${JSON.stringify(PROMPT_AGENT)};

function misbehave(member, given, good) {
  if (given.includes(member + "-throw")) throw new Error(member + " blew up on purpose");
  if (given.includes(member + "-hang")) return new Promise(() => {});
  if (given.includes(member + "-reject"))
    return new Promise((_, reject) => setTimeout(() => reject(new Error(member + " rejected late")), 20));
  return good();
}

/** The last two lines with text: what the agent shows of the turn in progress. */
const tail = (screen) => screen.split("\\n").filter((l) => l.trim() !== "").slice(-2).join("\\n");

/** From the agent's last echoed prompt (or its "interrupted") to the end of the screen. */
function turnOf(screen) {
  const lines = screen.split("\\n");
  let i = lines.length - 1;
  while (i > 0 && !/^idle> \\S|^interrupted$/.test(lines[i])) i--;
  return lines.slice(i).join("\\n");
}

export default definePlugin(() => ({
  name: "flaky",
  description: "a plugin that breaks where it is told to",
  version: "1.0.0",
  startup: (ctx) =>
    misbehave("startup", ctx.workerName, () => ({
      argv: ["bash", "--norc", AGENT, ctx.workerName],
      env: { ORCH_AGENT_STOP_HOOK: ctx.hook.command("Stop") },
    })),
  frame: (task) => {
    if (task.text.includes("stray-rejection")) void Promise.reject(new Error("a stray rejection on purpose"));
    if (task.text.includes("stray-exception"))
      setTimeout(() => {
        throw new Error("a stray exception on purpose");
      }, 0);
    return misbehave("frame", task.text, () => ({ text: pasteSafe(task.text), submit: ["Enter"] }));
  },
  detect: {
    kind: "hook",
    hook: (e) => (e.event === "Stop" ? misbehave("hook", String(e.payload?.line ?? ""), () => "done") : null),
    screen: {
      busy: /working\\.\\.\\./,
      idle: /^idle> ?$/m,
      waiting_input: /\\(y\\/n\\) ?$/m,
      rate_limited: /^rate limited: /m,
      latestTurn: (screen) => misbehave("turn", tail(screen), () => turnOf(screen)),
    },
  },
  approval: {
    approveKeys: ["y"],
    denyKeys: ["n"],
    decide: (screen) => misbehave("decide", tail(screen), () => "approve"),
  },
  rateLimitWaitMs: (screen) => misbehave("wait", tail(screen), () => 60_000),
  result: ({ raw }) =>
    misbehave("result", tail(raw), () => ({
      text: raw.split("\\n").filter((l) => /^(answer|approved|denied): /.test(l)).at(-1) ?? "",
    })),
  cleanup: (ctx) => misbehave("cleanup", ctx.workerName, () => undefined),
}));
`;

const orch = new OrchHarness("dist", { ORCH_WORKER_STARTUP_TIMEOUT: "3" });
let project = "";
let pid = 0;

const status = () => orch.json<StatusJson>(["status"]);
const controllerLog = () => readFileSync(join(orch.home, "logs", "controller.log"), "utf8");
/** Lines of the controller log about a crash the guard caught. */
const crashLines = () =>
  controllerLog()
    .split("\n")
    .filter((l) => /uncaught|unhandled/i.test(l));

/** The controller is the same process, still answers, and a shell worker still runs a task. */
async function controllerGoesOn(): Promise<void> {
  expect(orch.controllerPid()).toBe(pid);
  expect(() => process.kill(pid, 0)).not.toThrow();
  const st = await status();
  expect(st.controller.pid).toBe(pid);
  const t = await orch.sendWait("sh1", "echo still-$((40+2))", 20);
  expect({ status: t.status, output: t.output }).toEqual({ status: "succeeded", output: "still-42\n" });
}

/** The flaky worker takes and finishes a task again (its plugin is fine with this one). */
async function flakyWorks(worker: string): Promise<void> {
  const t = await orch.sendWait(worker, "hello", 20);
  expect({ status: t.status, output: t.output, error: t.error }).toEqual({
    status: "succeeded",
    output: "answer: hello",
    error: null,
  });
}

beforeAll(async () => {
  await orch.ok(["start"]);
  pid = orch.controllerPid() ?? 0;
  expect(pid).toBeGreaterThan(0);
  project = orch.project("p");
  await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", "sh1"]);
  const file = join(orch.root, "flaky.ts");
  writeFileSync(file, FLAKY);
  await orch.ok(["plugin", "add", file]);
  await orch.ok(["add-worker", "--type", "flaky", "--project", project, "--name", "fk1"]);
}, 60_000);

afterAll(() => orch.cleanup(), 60_000);

describe("a plugin member that breaks fails its task or its start, and nothing else", () => {
  test("the baseline: the flaky plugin works when nothing asks it to break", async () => {
    await flakyWorks("fk1");
    const asked = await orch.sendWait("fk1", "ask for the files", 20);
    expect({ status: asked.status, output: asked.output }).toEqual({
      status: "succeeded",
      output: "approved: for the files",
    });
    await controllerGoesOn();
  }, 60_000);

  const cases: Array<[string, string, string]> = [
    ["frame", "frame-throw", "frame blew up on purpose"],
    ["frame", "frame-hang", "it returned a Promise"],
    ["frame", "frame-reject", "it returned a Promise"],
    ["detect.screen.latestTurn", "turn-throw", "turn blew up on purpose"],
    ["detect.screen.latestTurn", "turn-hang", "it returned a Promise"],
    ["detect.hook", "hook-throw", "hook blew up on purpose"],
    ["detect.hook", "hook-hang", "it returned a Promise"],
    ["result", "result-throw", "result blew up on purpose"],
    ["result", "result-hang", "it returned a Promise"],
    ["approval.decide", "ask decide-throw", "decide blew up on purpose"],
    ["approval.decide", "ask decide-hang", "it returned a Promise"],
    ["rateLimitWaitMs", "limit wait-throw", "wait blew up on purpose"],
    ["rateLimitWaitMs", "limit wait-hang", "it returned a Promise"],
  ];

  test.each(cases)(
    "%s: the task %p fails naming the plugin and the member",
    async (member, text, why) => {
      const t = await orch.sendWait("fk1", text, 20);
      expect(t.status).toBe("failed");
      expect(t.error).toContain(`plugin flaky failed in ${member}(): ${why}`);
      expect(controllerLog()).toContain(`plugin flaky failed in ${member}(): ${why}`);
      await controllerGoesOn();
      await flakyWorks("fk1");
    },
    60_000,
  );

  test("detect.hook: an event sent with `orch hook` (payload on stdin) fails the running task", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "fk1",
      text: "wait 30",
      timeoutSec: 40,
    });
    expect(sent.status).toBe(201);
    await waitFor(
      "the task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
    );
    const hook = Bun.spawn([...orch.command(), "hook", "--worker", "fk1", "Stop"], {
      env: orch.childEnv(),
      stdin: new Blob([JSON.stringify({ line: "hook-hang" })]),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await hook.exited).toBe(0);
    const t = await orch.waitTask(sent.body.id, 20_000);
    expect(t.status).toBe("failed");
    expect(t.error).toContain("plugin flaky failed in detect.hook(): it returned a Promise");
    await controllerGoesOn();
    await flakyWorks("fk1"); // the interrupt stopped the 30 s of work
  }, 60_000);

  test.each([
    ["startup-throw", "startup blew up on purpose"],
    ["startup-reject", "startup rejected late"],
    ["startup-hang", "no answer within 3 s"],
  ])(
    "startup: the worker %s fails to start naming the plugin and the member",
    async (name, why) => {
      const t0 = Date.now();
      const r = await orch.run(["add-worker", "--type", "flaky", "--project", project, "--name", name]);
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`worker "${name}": plugin flaky failed in startup(): ${why}`);
      const w = (await status()).workers.find((x) => x.name === name);
      expect({ state: w?.state, error: w?.error }).toEqual({
        state: "error",
        error: `plugin flaky failed in startup(): ${why}`,
      });
      await controllerGoesOn();
      await orch.ok(["kill-worker", name]);
    },
    60_000,
  );

  test.each([
    ["cleanup-throw", "cleanup blew up on purpose"],
    ["cleanup-reject", "cleanup rejected late"],
    ["cleanup-hang", "no answer within 10 s"],
  ])(
    "cleanup: kill-worker %s still removes the worker; the log names the failure",
    async (name, why) => {
      await orch.ok(["add-worker", "--type", "flaky", "--project", project, "--name", name]);
      const t0 = Date.now();
      await orch.ok(["kill-worker", name]);
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect((await status()).workers.map((w) => w.name)).not.toContain(name);
      const line = controllerLog()
        .split("\n")
        .find((l) => l.includes(`plugin flaky failed in cleanup(): ${why}`));
      expect(line).toContain(`worker=${name}`);
      await controllerGoesOn();
    },
    60_000,
  );

  test("none of it reached the crash guard: the log has no uncaught or unhandled line", () => {
    expect(crashLines()).toEqual([]);
  });
});

describe("plugin code that leaves a fault behind: the controller logs it and goes on", () => {
  test("a rejected promise nobody waits for", async () => {
    const t = await orch.sendWait("fk1", "say stray-rejection", 20);
    expect({ status: t.status, output: t.output }).toEqual({
      status: "succeeded",
      output: "answer: say stray-rejection",
    });
    const lines = await waitFor("the rejection in the log", () => {
      const l = crashLines();
      return l.length ? l : null;
    });
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("unhandled promise rejection; the controller goes on");
    expect(lines[0]).toContain("error=a stray rejection on purpose");
    expect(controllerLog()).toMatch(/stack=Error: a stray rejection on purpose\n\s+at /);
    await controllerGoesOn();
    await flakyWorks("fk1");
  }, 60_000);

  test("an exception thrown from a timer", async () => {
    const t = await orch.sendWait("fk1", "say stray-exception", 20);
    expect(t.status).toBe("succeeded");
    const lines = await waitFor("the exception in the log", () => {
      const l = crashLines();
      return l.length === 2 ? l : null;
    });
    expect(lines[1]).toContain("uncaught exception; the controller goes on");
    expect(lines[1]).toContain("error=a stray exception on purpose");
    await controllerGoesOn();
    await flakyWorks("fk1");
    const st = await status();
    expect(st.workers.map((w) => [w.name, w.state])).toEqual([
      ["sh1", "idle"],
      ["fk1", "idle"],
    ]);
  }, 60_000);
});
