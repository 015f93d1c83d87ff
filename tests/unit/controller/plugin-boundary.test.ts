/**
 * The plugin boundary: every call into plugin code, with a plugin that throws (an Error, a
 * string, an object), answers with the wrong shape, hands back a promise where a value is
 * due, or (startup, cleanup) never answers. Each gives a failure naming the plugin and the
 * member, never an exception and never an unhandled rejection; the good paths give the value.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  callApproval,
  callClassifyScreen,
  callCleanup,
  callFrame,
  callHookRule,
  callRateLimitWait,
  callReadyPattern,
  callResult,
  callStartup,
  type PluginMember,
  pluginFailure,
} from "../../../src/core/controller/plugin-boundary.ts";
import type { Result } from "../../../src/core/domain/result.ts";
import type { AgentPlugin, ScreenRules } from "../../../src/core/plugin/contract.ts";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";

const MARKERS = { startPrefix: "---START-OF-OUTPUT-", endPrefix: "---END-OF-OUTPUT-", suffix: "---" };
const TASK = { id: "0b6f3a52-2d2c-4f3e-9d1b-2d7e3d0e6f11", text: "do the thing" };
const CTX = makeStartupContext({ workerName: "w1", project: "/tmp/project", dataDir: "/tmp/data/w1" });

/** A plugin whose members are all good; a test overrides the one it breaks. */
function plugin(over: Partial<AgentPlugin> = {}): AgentPlugin {
  return {
    name: "brittle",
    description: "a plugin for the boundary tests",
    version: "1.0.0",
    startup: () => ({ argv: ["sh"], ready: /\$ $/ }),
    frame: (t) => ({ text: t.text, submit: ["Enter"] }),
    detect: { kind: "marker" },
    ...over,
  };
}

/** What a member may throw: an Error, a string, any other value; with the message each gives. */
const THROWN: Array<[string, unknown, string]> = [
  ["an Error", new Error("boom"), "boom"],
  ["a string", "plain words", "plain words"],
  ["an object", { code: 7 }, '{"code":7}'],
];

/** An object whose every property read throws. */
const hostile = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error("no reading me");
      },
    },
  );

/** A cyclic object, which JSON cannot show. */
function cyclic(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const o: Record<string, unknown> = { ...extra };
  o.self = o;
  return o;
}

function expectFailure<T>(r: Result<T>, member: PluginMember, why: string | RegExp): void {
  if (r.ok) throw new Error(`expected a failure in ${member}(), got ${Bun.inspect(r.value)}`);
  expect(r.code).toBe("unavailable");
  expect(r.error.startsWith(`plugin brittle failed in ${member}(): `)).toBe(true);
  if (typeof why === "string") expect(r.error).toContain(why);
  else expect(r.error).toMatch(why);
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected a value, got the failure: ${r.error}`);
  return r.value;
}

/** Rejections nobody handled while the file ran: none may come from the boundary. */
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  await Bun.sleep(50); // the late rejections below fire after 5 ms
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

/** A promise that rejects a moment later (after the caller has moved on). */
const lateRejection = () =>
  new Promise((_, reject) => setTimeout(() => reject(new Error("too late to count")), 5));

describe("pluginFailure", () => {
  test("names the plugin and the member", () => {
    expect(pluginFailure({ name: "x" }, "detect.hook", "it broke")).toBe(
      "plugin x failed in detect.hook(): it broke",
    );
  });
});

describe("callFrame", () => {
  test("the good path: the delivery as the plugin gave it", () => {
    expect(value(callFrame(plugin(), TASK, MARKERS))).toEqual({ text: "do the thing", submit: ["Enter"] });
    const delayed = plugin({ frame: () => ({ text: "x", submit: [], submitDelayMs: 200 }) });
    expect(value(callFrame(delayed, TASK, MARKERS))).toEqual({ text: "x", submit: [], submitDelayMs: 200 });
    const cleared = plugin({ frame: () => ({ clearKeys: ["C-u"], text: "x", submit: ["Enter"] }) });
    expect(value(callFrame(cleared, TASK, MARKERS))).toEqual({
      clearKeys: ["C-u"],
      text: "x",
      submit: ["Enter"],
    });
  });

  test.each(THROWN)("a frame that throws %s fails naming it", (_what, thrown, message) => {
    const p = plugin({
      frame: () => {
        throw thrown;
      },
    });
    expectFailure(callFrame(p, TASK, MARKERS), "frame", message);
  });

  test("a frame that hands back a promise (never settling, or rejecting later) fails at once", () => {
    for (const promise of [
      new Promise(() => {}),
      lateRejection(),
      Promise.resolve({ text: "x", submit: [] }),
    ]) {
      const p = plugin({ frame: () => promise as never });
      expectFailure(callFrame(p, TASK, MARKERS), "frame", "it returned a Promise");
    }
  });

  test.each([
    ["nothing", undefined, "it returned undefined"],
    ["null", null, "it returned null"],
    ["a string", "echo hi", 'it returned "echo hi"'],
    ["no text", { submit: ["Enter"] }, "expected {text: string, submit: string[]}"],
    ["submit not a list", { text: "x", submit: "Enter" }, 'its submit "Enter" is not a list of key names'],
    ["an empty key", { text: "x", submit: ["Enter", ""] }, "is not a list of key names"],
    ["a negative delay", { text: "x", submit: [], submitDelayMs: -1 }, "its submitDelayMs -1 is not"],
    [
      "a delay that is not a number",
      { text: "x", submit: [], submitDelayMs: "5" },
      'its submitDelayMs "5" is not',
    ],
    ["text as a BigInt", { text: 1n, submit: [] }, "expected {text: string"],
    [
      "clearKeys not a list",
      { text: "x", submit: [], clearKeys: "C-u" },
      'its clearKeys "C-u" is not a list',
    ],
    ["an empty clear key", { text: "x", submit: [], clearKeys: [""] }, "its clearKeys"],
  ])("a frame that returns %s fails naming what it returned", (_what, returned, why) => {
    expectFailure(callFrame(plugin({ frame: () => returned as never }), TASK, MARKERS), "frame", why);
  });

  test("a delivery JSON cannot show, or whose fields throw when read, is a failure, not an exception", () => {
    expectFailure(
      callFrame(plugin({ frame: () => cyclic({ text: 5 }) as never }), TASK, MARKERS),
      "frame",
      /./,
    );
    expectFailure(
      callFrame(plugin({ frame: () => hostile() as never }), TASK, MARKERS),
      "frame",
      "no reading me",
    );
  });

  test("the delivery is the boundary's own copy: later reads never reach plugin code", () => {
    let reads = 0;
    const d = {
      get text() {
        reads++;
        return "x";
      },
      submit: ["Enter"],
    };
    const got = value(callFrame(plugin({ frame: () => d }), TASK, MARKERS));
    const before = reads;
    expect(got.text).toBe("x");
    expect(got.submit).toEqual(["Enter"]);
    expect(reads).toBe(before);
  });
});

describe("callHookRule", () => {
  const hookPlugin = (hook: (e: unknown) => unknown) =>
    plugin({ detect: { kind: "hook", hook: hook as never } });
  const e = { event: "Stop", payload: { line: "x" } };

  test("the good path: the plugin's signal; a plugin without hook detection has none", () => {
    expect(
      value(
        callHookRule(
          hookPlugin(() => "done"),
          e,
        ),
      ),
    ).toBe("done");
    expect(
      value(
        callHookRule(
          hookPlugin(() => null),
          e,
        ),
      ),
    ).toBeNull();
    expect(value(callHookRule(plugin(), e))).toBeNull();
  });

  test.each(THROWN)("a hook rule that throws %s fails naming it", (_what, thrown, message) => {
    const p = hookPlugin(() => {
      throw thrown;
    });
    expectFailure(callHookRule(p, e), "detect.hook", message);
  });

  test("a hook rule that hands back a promise fails at once", () => {
    expectFailure(
      callHookRule(
        hookPlugin(() => new Promise(() => {})),
        e,
      ),
      "detect.hook",
      "it returned a Promise",
    );
    expectFailure(callHookRule(hookPlugin(lateRejection), e), "detect.hook", "it returned a Promise");
  });

  test.each([
    ["an unknown signal", "finished", 'it returned "finished"; expected "ready", "accepted", "done"'],
    ["nothing", undefined, "it returned undefined"],
    ["a BigInt", 1n, "it returned 1n"],
    ["a cyclic object", cyclic(), "it returned a value that JSON cannot show"],
  ])("a hook rule that returns %s fails naming it", (_what, returned, why) => {
    expectFailure(
      callHookRule(
        hookPlugin(() => returned),
        e,
      ),
      "detect.hook",
      why,
    );
  });
});

describe("callClassifyScreen", () => {
  const rules: ScreenRules = { busy: /working/, idle: /^> $/m, error: /^Error:/m };
  const screenPlugin = (latestTurn?: (s: string) => unknown) =>
    plugin({
      detect: {
        kind: "screen",
        screen: { ...rules, ...(latestTurn ? { latestTurn: latestTurn as (s: string) => string } : {}) },
      },
    });
  const screen = "Error: old\n> new\nanswer\n> ";

  test("the good path: the state by the rules, with the plugin's latest turn narrowing errors", () => {
    expect(value(callClassifyScreen(plugin(), screen))).toBeNull();
    expect(value(callClassifyScreen(screenPlugin(), screen))).toBe("error");
    expect(
      value(
        callClassifyScreen(
          screenPlugin((s) => s.split("> new\n")[1]),
          screen,
        ),
      ),
    ).toBe("idle");
  });

  test.each(THROWN)("a latestTurn that throws %s fails naming it", (_what, thrown, message) => {
    const p = screenPlugin(() => {
      throw thrown;
    });
    expectFailure(callClassifyScreen(p, screen), "detect.screen.latestTurn", message);
  });

  test("a latestTurn that hands back a promise fails at once", () => {
    const p = screenPlugin(() => new Promise(() => {}));
    expectFailure(callClassifyScreen(p, screen), "detect.screen.latestTurn", "it returned a Promise");
  });

  test.each([
    ["nothing", undefined, "it returned undefined; expected the screen's text"],
    ["a number", 3, "it returned number"],
    ["lines", ["a"], "it returned object"],
  ])("a latestTurn that returns %s fails naming it", (_what, returned, why) => {
    expectFailure(
      callClassifyScreen(
        screenPlugin(() => returned),
        screen,
      ),
      "detect.screen.latestTurn",
      why,
    );
  });
});

describe("callResult", () => {
  const input = { raw: "the output\n", exitCode: 0 };

  test("the good path: text, the agent's own verdict and the rest as meta; no result(): the raw text", () => {
    expect(value(callResult(plugin(), input))).toEqual({ text: "the output\n", isError: false, meta: null });
    const p = plugin({ result: ({ raw }) => ({ text: raw.trim() }) });
    expect(value(callResult(p, input))).toEqual({ text: "the output", isError: false, meta: null });
    const rich = plugin({
      result: () => ({
        text: "t",
        isError: true,
        sessionId: "s1",
        tokens: { input: 1, output: 2 },
        costUsd: 0.5,
      }),
    });
    expect(value(callResult(rich, input))).toEqual({
      text: "t",
      isError: true,
      meta: { isError: true, sessionId: "s1", tokens: { input: 1, output: 2 }, costUsd: 0.5 },
    });
  });

  test.each(THROWN)("a result() that throws %s fails naming it", (_what, thrown, message) => {
    const p = plugin({
      result: () => {
        throw thrown;
      },
    });
    expectFailure(callResult(p, input), "result", message);
  });

  test("a result() that hands back a promise fails at once", () => {
    const p = plugin({ result: () => Promise.resolve({ text: "x" }) as never });
    expectFailure(callResult(p, input), "result", "it returned a Promise");
    expectFailure(
      callResult(plugin({ result: lateRejection as never }), input),
      "result",
      "it returned a Promise",
    );
  });

  test.each([
    ["nothing", undefined, "it returned undefined; expected {text: string, ...}"],
    ["a bare string", "answer", 'it returned "answer"'],
    ["text as a number", { text: 42 }, 'it returned {"text":42}'],
    ["a cyclic object", cyclic({ text: 1 }), "it returned"],
  ])("a result() that returns %s fails naming it", (_what, returned, why) => {
    expectFailure(callResult(plugin({ result: () => returned as never }), input), "result", why);
  });

  test("a result whose meta cannot be stored as JSON fails here, not later in the store", () => {
    const big = plugin({ result: () => ({ text: "t", tokens: { input: 1n as never } }) });
    expectFailure(callResult(big, input), "result", /JSON|BigInt/);
    const loop = plugin({ result: () => cyclic({ text: "t" }) as never });
    expectFailure(callResult(loop, input), "result", /JSON|cyclic|circular/i);
    expectFailure(callResult(plugin({ result: () => hostile() as never }), input), "result", "no reading me");
  });
});

describe("callApproval", () => {
  const withDecide = (decide: (s: string) => unknown) =>
    plugin({ approval: { approveKeys: ["y"], denyKeys: ["n"], decide: decide as never } });

  test("the good path: the plugin's decision; 'ask' or no rule leaves it to the policy", () => {
    expect(
      value(
        callApproval(
          withDecide(() => "approve"),
          "Allow? (y/n)",
          "ask",
        ),
      ),
    ).toBe("approve");
    expect(
      value(
        callApproval(
          withDecide(() => "deny"),
          "Allow? (y/n)",
          "approve",
        ),
      ),
    ).toBe("deny");
    expect(
      value(
        callApproval(
          withDecide(() => "ask"),
          "Allow? (y/n)",
          "deny",
        ),
      ),
    ).toBe("deny");
    expect(value(callApproval(plugin(), "Allow? (y/n)", "approve"))).toBe("approve");
  });

  test.each(THROWN)("a decide() that throws %s fails naming it", (_what, thrown, message) => {
    const p = withDecide(() => {
      throw thrown;
    });
    expectFailure(callApproval(p, "Allow?", "ask"), "approval.decide", message);
  });

  test("a decide() that hands back a promise fails at once", () => {
    expectFailure(
      callApproval(
        withDecide(() => new Promise(() => {})),
        "s",
        "ask",
      ),
      "approval.decide",
      "Promise",
    );
    expectFailure(callApproval(withDecide(lateRejection), "s", "ask"), "approval.decide", "Promise");
  });

  test.each([
    ["yes", "yes", 'it returned "yes"; expected "approve", "deny" or "ask"'],
    ["true", true, "it returned true"],
    ["nothing", undefined, "it returned undefined"],
    ["a BigInt", 2n, "it returned 2n"],
  ])("a decide() that returns %s fails naming it", (_what, returned, why) => {
    expectFailure(
      callApproval(
        withDecide(() => returned),
        "s",
        "ask",
      ),
      "approval.decide",
      why,
    );
  });
});

describe("callRateLimitWait", () => {
  const withWait = (f: (s: string) => unknown) => plugin({ rateLimitWaitMs: f as never });

  test("the good path: ms or null; no member: null (back off)", () => {
    expect(
      value(
        callRateLimitWait(
          withWait(() => 5000),
          "limit",
        ),
      ),
    ).toBe(5000);
    expect(
      value(
        callRateLimitWait(
          withWait(() => 0),
          "limit",
        ),
      ),
    ).toBe(0);
    expect(
      value(
        callRateLimitWait(
          withWait(() => null),
          "limit",
        ),
      ),
    ).toBeNull();
    expect(value(callRateLimitWait(plugin(), "limit"))).toBeNull();
  });

  test.each(THROWN)("a rateLimitWaitMs that throws %s fails naming it", (_what, thrown, message) => {
    const p = withWait(() => {
      throw thrown;
    });
    expectFailure(callRateLimitWait(p, "limit"), "rateLimitWaitMs", message);
  });

  test("a rateLimitWaitMs that hands back a promise fails at once", () => {
    expectFailure(
      callRateLimitWait(
        withWait(() => Promise.resolve(5)),
        "s",
      ),
      "rateLimitWaitMs",
      "Promise",
    );
    expectFailure(callRateLimitWait(withWait(lateRejection), "s"), "rateLimitWaitMs", "Promise");
  });

  test.each([
    ["a negative wait", -1, "it returned -1; expected ms (0 or more) or null"],
    ["NaN", Number.NaN, "it returned NaN"],
    ["Infinity", Number.POSITIVE_INFINITY, "it returned Infinity"],
    ["a numeric string", "5000", 'it returned "5000"'],
    ["nothing", undefined, "it returned undefined"],
    ["a BigInt", 5000n, "it returned 5000n"],
  ])("a rateLimitWaitMs that returns %s fails naming it", (_what, returned, why) => {
    expectFailure(
      callRateLimitWait(
        withWait(() => returned),
        "s",
      ),
      "rateLimitWaitMs",
      why,
    );
  });
});

describe("callStartup and callReadyPattern", () => {
  test("the good path: the spec, given directly or as a promise; the ready pattern from it", async () => {
    expect(value(await callStartup(plugin(), CTX, 1000))).toEqual({ argv: ["sh"], ready: /\$ $/ });
    const later = plugin({ startup: (async () => ({ argv: ["bash"] })) as never });
    expect(value(await callStartup(later, CTX, 1000))).toEqual({ argv: ["bash"] });
    expect(value(await callReadyPattern(plugin(), CTX, 1000))).toEqual(/\$ $/);
    expect(value(await callReadyPattern(later, CTX, 1000))).toBeUndefined();
  });

  test("startup gets the worker's context", async () => {
    let seen = "";
    const p = plugin({
      startup: (ctx) => {
        seen = ctx.workerName;
        return { argv: ["sh"] };
      },
    });
    await callStartup(p, CTX, 1000);
    expect(seen).toBe("w1");
  });

  test.each(THROWN)("a startup that throws %s fails naming it", async (_what, thrown, message) => {
    const p = plugin({
      startup: () => {
        throw thrown;
      },
    });
    expectFailure(await callStartup(p, CTX, 1000), "startup", message);
    expectFailure(await callReadyPattern(p, CTX, 1000), "startup", message);
  });

  test("a startup whose promise rejects fails naming why", async () => {
    const p = plugin({ startup: (() => Promise.reject(new Error("no binary"))) as never });
    expectFailure(await callStartup(p, CTX, 1000), "startup", "no binary");
  });

  test("a startup that never answers fails when its deadline passes, not before, not much after", async () => {
    const p = plugin({ startup: (() => new Promise(() => {})) as never });
    const t0 = performance.now();
    const r = await callStartup(p, CTX, 150);
    const took = performance.now() - t0;
    expectFailure(r, "startup", "no answer within 0.15 s");
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(1000);
    expectFailure(await callReadyPattern(p, CTX, 50), "startup", "no answer within 0.05 s");
  });

  test("a startup that answers after its deadline changes nothing, and its late rejection is handled", async () => {
    const p = plugin({
      startup: (() => new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 30))) as never,
    });
    expectFailure(await callStartup(p, CTX, 5), "startup", "no answer within 0.005 s");
    await Bun.sleep(60); // the afterAll check sees the late rejection, if it went unhandled
  });

  test.each([
    ["no argv", {}, "it returned a bad spec: argv"],
    ["an empty argv", { argv: [] }, "it returned a bad spec: argv"],
    ["nothing", undefined, "it returned a bad spec"],
    ["env that is not strings", { argv: ["sh"], env: { A: 1 } }, "env.A"],
    ["a ready that is no RegExp", { argv: ["sh"], ready: "\\$ $" }, "ready"],
  ])("a startup that returns %s fails naming the field", async (_what, spec, why) => {
    expectFailure(await callStartup(plugin({ startup: () => spec as never }), CTX, 1000), "startup", why);
  });

  test("a spec whose fields throw when read is a failure, not an exception", async () => {
    const r = await callStartup(plugin({ startup: () => hostile() as never }), CTX, 1000);
    expectFailure(r, "startup", "no reading me");
    const getter = {
      get argv(): string[] {
        throw new Error("argv is not ready");
      },
    };
    const g = await callStartup(plugin({ startup: () => getter }), CTX, 1000);
    expectFailure(g, "startup", "what it returned cannot be read: argv is not ready");
  });

  test("the spec is the boundary's own copy: fields it does not know are dropped", async () => {
    const spec = { argv: ["sh"], ready: /x/, extra: () => "plugin code" };
    const got = value(await callStartup(plugin({ startup: () => spec }), CTX, 1000));
    expect(got).toEqual({ argv: ["sh"], ready: /x/ });
    expect(got).not.toBe(spec);
  });
});

describe("callCleanup", () => {
  test("the good path: done, given directly or as a promise; no cleanup: nothing to do", async () => {
    let cleaned = "";
    const p = plugin({
      cleanup: (ctx) => {
        cleaned = ctx.workerName;
      },
    });
    expect((await callCleanup(p, CTX, 1000)).ok).toBe(true);
    expect(cleaned).toBe("w1");
    expect((await callCleanup(plugin({ cleanup: async () => undefined }), CTX, 1000)).ok).toBe(true);
    expect((await callCleanup(plugin(), CTX, 1000)).ok).toBe(true);
  });

  test.each(THROWN)("a cleanup that throws %s fails naming it", async (_what, thrown, message) => {
    const p = plugin({
      cleanup: () => {
        throw thrown;
      },
    });
    expectFailure(await callCleanup(p, CTX, 1000), "cleanup", message);
    const rejecting = plugin({ cleanup: () => Promise.reject(thrown) });
    expectFailure(await callCleanup(rejecting, CTX, 1000), "cleanup", message);
  });

  test("a cleanup that never answers fails when its deadline passes", async () => {
    const t0 = performance.now();
    const r = await callCleanup(plugin({ cleanup: () => new Promise(() => {}) }), CTX, 100);
    const took = performance.now() - t0;
    expectFailure(r, "cleanup", "no answer within 0.1 s");
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(1000);
  });
});
