/**
 * TurnFlow with fakes: interactive agents (hook and screen detection) on a scripted pane with
 * the real store in memory. Screens are one word each (see tests/helpers/fake-pane.ts); each
 * `show()` prints a byte so the reader reads the screen, as tmux output would make it.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { AgentPlugin } from "../../../src/core/plugin/contract.ts";
import {
  HOOK,
  hookPlugin,
  SCREEN,
  ScriptedWorker,
  type ScriptedWorkerOptions,
  screenPlugin,
} from "../../helpers/fake-pane.ts";

const open: ScriptedWorker[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

/** A TUI worker made ready by its idle screen. */
async function readyWorker(
  plugin: AgentPlugin,
  o: Partial<ScriptedWorkerOptions> = {},
): Promise<ScriptedWorker> {
  const w = new ScriptedWorker({ ...o, plugin });
  open.push(w);
  w.show(SCREEN.idle);
  await w.waitFor("ready from the idle screen", () => w.rt.phase === "ready", 1000);
  return w;
}

/** Shows `screen` and waits until the reader has read it and handed it to the turn flow. */
async function read(w: ScriptedWorker, screen: string): Promise<void> {
  w.show(screen);
  await w.waitFor(`the screen ${JSON.stringify(screen)} read`, () => w.rt.lastScreen === screen, 1000);
}

const submitted = (w: ScriptedWorker, n = 1) =>
  w.pane.waitForStroke(() => w.pane.keysSent().length >= n, 2000, `submit keys #${n}`);
/** A ready worker that got the task "hello": the prompt is pasted and its submit keys are out. */
async function submittedTask(plugin: AgentPlugin, o: Partial<ScriptedWorkerOptions> = {}) {
  const w = await readyWorker(plugin, o);
  const t = w.send("hello");
  await submitted(w);
  return { w, t };
}
const events = (w: ScriptedWorker) => w.store.events.latest(50).map((e) => e.kind);
const pastes = (w: ScriptedWorker) => w.pane.strokes.filter((s) => s.op === "paste").length;

describe("TurnFlow: the prompt is taken", () => {
  test("a TUI agent is ready once its screen is idle; the prompt is pasted, then submitted", async () => {
    const w = new ScriptedWorker({ plugin: hookPlugin() });
    open.push(w);
    const t = w.send("hello");
    await read(w, SCREEN.busy); // still starting: busy is not ready
    expect(w.task(t.id).status).toBe("queued");
    w.show(SCREEN.idle);
    await submitted(w);
    expect(w.pane.strokes).toEqual([
      { op: "paste", paneId: "%1", text: "hello" },
      { op: "keys", paneId: "%1", keys: ["Enter"] },
    ]);
    expect(w.task(t.id).status).toBe("dispatched");
  });

  test("a busy screen after the submit keys proves the prompt was taken: the task runs", async () => {
    const { w, t } = await submittedTask(hookPlugin());
    w.show(SCREEN.busy);
    await w.waitFor("running", () => w.task(t.id).status === "running", 1000);
    expect(w.worker().state).toBe("running");
    expect(w.task(t.id).startedAt).not.toBeNull();
  });

  test("an accepted hook proves it as well, with no screen at all", async () => {
    const { w, t } = await submittedTask(hookPlugin());
    w.hook(HOOK.submitted);
    expect(w.task(t.id).status).toBe("running");
  });

  test("when nothing shows the prompt was taken, the submit keys go once more, then the task fails", async () => {
    const w = await readyWorker(hookPlugin({ acceptMs: 60 }));
    const t = w.send("hello");
    const done = await w.waitFinal(t.id, 2000);
    expect(done.status).toBe("failed");
    expect(done.error).toBe(
      "the agent did not take the prompt: no busy screen or hook within 60 ms of the submit keys, sent twice",
    );
    expect(w.pane.keysSent()).toEqual([["Enter"], ["Enter"]]);
    expect(w.logs.some((l) => l.msg === "prompt not taken yet; sending the submit keys again")).toBe(true);
  });

  test("a busy screen after the second Enter saves the task", async () => {
    const w = await readyWorker(hookPlugin({ acceptMs: 60 }));
    const t = w.send("hello");
    await submitted(w, 2);
    w.show(SCREEN.busy);
    await w.waitFor("running", () => w.task(t.id).status === "running", 1000);
    // accepted: no timer is left to send Enter again or to fail the task
    expect(w.rt.turn?.acceptTimer).toBeNull();
    expect(w.task(t.id).status).toBe("running");
    expect(w.pane.keysSent()).toHaveLength(2);
  });
});

describe("TurnFlow: the turn ends", () => {
  test("a done hook ends it: the screen is read first, the result comes from the hook; the next task goes out", async () => {
    const w = await readyWorker(hookPlugin());
    const a = w.send("first");
    const b = w.send("second");
    await submitted(w);
    w.hook(HOOK.submitted);
    w.show(SCREEN.busy);
    w.pane.setScreen(w.paneId, SCREEN.done);
    w.hook(HOOK.stop("the answer"));
    const done = await w.waitFinal(a.id, 1000);
    expect(done).toMatchObject({ status: "succeeded", output: "the answer", exitCode: null, error: null });
    await submitted(w, 2);
    expect(w.task(b.id).status).toBe("dispatched");
  });

  test("a done hook while the screen shows a rate limit or a question does not end the turn", async () => {
    const { w, t } = await submittedTask(hookPlugin());
    w.hook(HOOK.submitted);
    w.pane.setScreen(w.paneId, SCREEN.permission);
    w.hook(HOOK.stop("too early"));
    await w.waitFor("the screen read", () => w.rt.screenState === "waiting_input", 1000);
    expect(w.task(t.id).status).toBe("running");
  });

  test("a hook the plugin does not count changes nothing", async () => {
    const { w, t } = await submittedTask(hookPlugin());
    w.hook(HOOK.other);
    expect(w.task(t.id).status).toBe("dispatched");
  });

  test("screen detection: busy, then idle ends the turn; the answer is read off the screen", async () => {
    const { w, t } = await submittedTask(screenPlugin());
    w.show(SCREEN.busy);
    await w.waitFor("running", () => w.task(t.id).status === "running", 1000);
    w.show(SCREEN.done);
    const done = await w.waitFinal(t.id, 1000);
    expect(done).toMatchObject({ status: "succeeded", output: "all done" });
    expect(w.worker().state).toBe("idle");
  });

  test("an idle screen before any busy one does not end the turn", async () => {
    const { w, t } = await submittedTask(screenPlugin());
    await read(w, SCREEN.idle);
    await read(w, `${SCREEN.idle} `);
    expect(w.task(t.id).status).toBe("dispatched");
  });

  test("hook detection: idle after busy with no hook ends the turn from the screen after the grace", async () => {
    const { w, t } = await submittedTask(hookPlugin(), { hookGraceMs: 50 });
    w.show(SCREEN.busy);
    await w.waitFor("running", () => w.task(t.id).status === "running", 1000);
    w.show(SCREEN.done);
    const done = await w.waitFinal(t.id, 1000);
    expect(done).toMatchObject({ status: "succeeded", output: `screen: ${SCREEN.done}` });
    expect(w.logs.some((l) => l.msg === "no hook after the agent went idle; finished from the screen")).toBe(
      true,
    );
  });

  test("an error screen after the prompt was taken fails the task, naming the line", async () => {
    const { w, t } = await submittedTask(screenPlugin());
    w.show(SCREEN.busy);
    await w.waitFor("running", () => w.task(t.id).status === "running", 1000);
    w.show(SCREEN.error);
    const done = await w.waitFinal(t.id, 1000);
    expect(done.status).toBe("failed");
    expect(done.error).toBe("the agent showed an error: ERROR: the model is down");
  });

  test("a turn past its timeout is timed out and interrupted with the plugin's keys", async () => {
    const w = await readyWorker(hookPlugin());
    const t = w.send("hello", { timeoutSec: 0.1 });
    await submitted(w);
    w.show(SCREEN.busy);
    const done = await w.waitFinal(t.id, 2000);
    expect(done.status).toBe("timed_out");
    expect(done.output).toBe(SCREEN.busy);
    await w.waitFor("the interrupt", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent().at(-1)).toEqual(["Escape"]);
  });
});

describe("TurnFlow: permission prompts", () => {
  test("policy approve: the approve keys go out once per prompt, recorded as by policy", async () => {
    const w = await readyWorker(hookPlugin(), { approvalPolicy: "approve" });
    const t = w.send("touch x");
    await submitted(w);
    w.show(SCREEN.permission);
    await w.waitFor("approved", () => w.pane.keysSent().length === 2, 1000);
    await read(w, `${SCREEN.permission} `); // the same prompt read again
    expect(w.pane.keysSent()).toEqual([["Enter"], ["y"]]);
    expect(w.task(t.id).status).toBe("running"); // a question proves the prompt was taken
    const e = w.store.events.latest(50).find((x) => x.kind === "approval.approve");
    expect(e?.data).toMatchObject({ by: "policy" });
    expect(e?.task).toBe(t.id);
  });

  test("policy deny sends the deny keys", async () => {
    const w = await readyWorker(hookPlugin(), { approvalPolicy: "deny" });
    w.send("rm -rf /");
    await submitted(w);
    w.show(SCREEN.permission);
    await w.waitFor("denied", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent()[1]).toEqual(["n"]);
  });

  test("the plugin's own rule goes before the policy", async () => {
    const plugin = hookPlugin({ approval: { approveKeys: ["1"], denyKeys: ["3"], decide: () => "deny" } });
    const w = await readyWorker(plugin, { approvalPolicy: "approve" });
    w.send("hello");
    await submitted(w);
    w.show(SCREEN.permission);
    await w.waitFor("denied", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent()[1]).toEqual(["3"]);
  });

  test("policy ask: the worker waits for a human, who then answers", async () => {
    const w = await readyWorker(hookPlugin());
    const t = w.send("touch x");
    await submitted(w);
    w.hook(HOOK.submitted);
    w.show(SCREEN.permission);
    await w.waitFor("waiting", () => w.worker().state === "waiting_input", 1000);
    expect(events(w)).toContain("worker.waiting_input");
    expect(w.pane.keysSent()).toEqual([["Enter"]]);
    expect(w.logs.some((l) => l.msg === "waiting for a human")).toBe(true);
    expect(w.turns.answer(w.rt, "approve")).toBe(true);
    await w.waitFor("approved", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent()[1]).toEqual(["y"]);
    expect(w.worker().state).toBe("running");
    expect(w.store.events.latest(50).find((x) => x.kind === "approval.approve")?.data).toMatchObject({
      by: "human",
    });
    expect(w.task(t.id).status).toBe("running");
  });

  test("a waiting_input hook reads the screen, and the question is put to the policy", async () => {
    const w = await readyWorker(hookPlugin(), { approvalPolicy: "approve" });
    w.send("hello");
    await submitted(w);
    w.pane.setScreen(w.paneId, SCREEN.permission);
    w.hook(HOOK.asks);
    await w.waitFor("approved", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent()[1]).toEqual(["y"]);
  });
});

describe("TurnFlow: rate limits", () => {
  test("a rate limit pauses the worker, then the same prompt goes out again and the turn can finish", async () => {
    const w = await readyWorker(hookPlugin());
    const t = w.send("hello", { timeoutSec: 0.2 });
    await submitted(w);
    w.hook(HOOK.submitted);
    const at = Date.now();
    w.show(SCREEN.rateLimited);
    await w.waitFor("paused", () => w.worker().state === "rate_limited", 1000);
    const e = w.store.events.latest(50).find((x) => x.kind === "worker.rate_limited");
    expect(e?.data).toEqual({ resumeInMs: 250 });
    expect(w.rt.timer).toBeNull(); // the pause does not count against the timeout
    await w.waitFor("the prompt again", () => pastes(w) === 2, 2000);
    expect(Date.now() - at).toBeGreaterThanOrEqual(240);
    expect(w.task(t.id).attempts).toBe(2);
    expect(w.worker().state).toBe("running");
    await submitted(w, 2);
    w.hook(HOOK.submitted);
    w.pane.setScreen(w.paneId, SCREEN.done);
    w.hook(HOOK.stop("after the pause"));
    expect(await w.waitFinal(t.id, 1000)).toMatchObject({ status: "succeeded", output: "after the pause" });
  });

  test("the plugin says how long to wait", async () => {
    const w = await readyWorker(hookPlugin({ rateLimitWaitMs: () => 300 }));
    w.send("hello");
    await submitted(w);
    w.show(SCREEN.rateLimited);
    await w.waitFor("paused", () => w.worker().state === "rate_limited", 1000);
    expect(w.store.events.latest(50).find((x) => x.kind === "worker.rate_limited")?.data).toEqual({
      resumeInMs: 300,
    });
  });
});

describe("TurnFlow: a plugin that fails is contained by the boundary", () => {
  test("a hook rule that throws fails the task naming the plugin and member, and interrupts the agent", async () => {
    const plugin = hookPlugin();
    const w = await readyWorker({
      ...plugin,
      detect: {
        ...(plugin.detect as Extract<AgentPlugin["detect"], { kind: "hook" }>),
        hook: () => {
          throw new Error("bad payload");
        },
      },
    });
    const t = w.send("hello");
    await submitted(w);
    w.hook(HOOK.stop("x"));
    const done = await w.waitFinal(t.id, 1000);
    expect(done.error).toBe("plugin t-hook failed in detect.hook(): bad payload");
    expect(done.status).toBe("failed");
    await w.waitFor("the interrupt", () => w.pane.keysSent().length === 2, 1000);
    expect(w.pane.keysSent()[1]).toEqual(["Escape"]);
  });

  test("a result() that throws fails the task and keeps the screen as its output", async () => {
    const w = await readyWorker(
      screenPlugin({
        result: () => {
          throw new Error("cannot parse");
        },
      }),
    );
    const t = w.send("hello");
    await submitted(w);
    w.show(SCREEN.busy);
    await w.waitFor("running", () => w.task(t.id).status === "running", 1000);
    w.show(SCREEN.done);
    const done = await w.waitFinal(t.id, 1000);
    expect(done).toMatchObject({
      status: "failed",
      output: SCREEN.done,
      error: "plugin t-screen failed in result(): cannot parse; the screen is kept",
    });
  });

  test("a latestTurn() that throws fails the task in flight when the screen is read", async () => {
    const base = screenPlugin();
    const w = await readyWorker(base);
    const rules = base.detect.screen!;
    // the same plugin object: the runtime holds it, so the rule breaks from now on
    (w.rt.plugin.detect as { screen: typeof rules }).screen = {
      ...rules,
      latestTurn: () => {
        throw new Error("no prompt line");
      },
    };
    const t = w.send("hello");
    await submitted(w);
    w.show(SCREEN.busy);
    const done = await w.waitFinal(t.id, 1000);
    expect(done.error).toBe("plugin t-screen failed in detect.screen.latestTurn(): no prompt line");
  });

  test("a rateLimitWaitMs() that answers a string fails the task naming what was expected", async () => {
    const { w, t } = await submittedTask(
      hookPlugin({ rateLimitWaitMs: (() => "soon") as unknown as () => number }),
    );
    w.show(SCREEN.rateLimited);
    const done = await w.waitFinal(t.id, 1000);
    expect(done.error).toBe(
      'plugin t-hook failed in rateLimitWaitMs(): it returned "soon"; expected ms (0 or more) or null',
    );
  });

  test("an approval.decide() that returns a promise fails the task", async () => {
    const plugin = hookPlugin({
      approval: {
        approveKeys: ["y"],
        denyKeys: ["n"],
        decide: (async () => "approve") as unknown as () => "approve",
      },
    });
    const { w, t } = await submittedTask(plugin);
    w.show(SCREEN.permission);
    const done = await w.waitFinal(t.id, 1000);
    expect(done.error).toBe(
      "plugin t-hook failed in approval.decide(): it returned a Promise; this member must return its value directly",
    );
    expect(w.pane.keysSent().some((k) => k[0] === "y")).toBe(false);
  });
});
