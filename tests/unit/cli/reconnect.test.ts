import { describe, expect, test } from "bun:test";
import { CliError, EXIT } from "../../../src/cli/exit-codes.ts";
import { failureLine } from "../../../src/cli/failure-line.ts";
import {
  ControllerGone,
  controllerGone,
  reconnecting,
  reconnectWindowMs,
} from "../../../src/cli/reconnect.ts";

const ctx = { home: "/h", api: { socket: "/h/orch.sock" } };
/** A fetch error as Bun throws it. */
const fetchError = (code: string) => Object.assign(new TypeError(`${code}: ...`), { code });

/** A clock that only moves when slept on, and the pauses slept. */
function fakeClock() {
  let t = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: async (ms: number) => {
      pauses.push(ms);
      t += ms;
    },
  };
}

describe("controllerGone", () => {
  test("nobody listening: not sent; a connection closed under the request: maybe sent; else null", () => {
    expect(controllerGone(fetchError("ENOENT"), "/s")?.maybeSent).toBe(false);
    expect(controllerGone(fetchError("ECONNREFUSED"), "/s")?.message).toContain("orch is not running");
    expect(controllerGone(fetchError("ECONNRESET"), "/s")?.maybeSent).toBe(true);
    expect(controllerGone(new CliError("unknown worker", EXIT.usage), "/s")).toBeNull();
    expect(controllerGone(new Error("boom"), "/s")).toBeNull();
    expect(controllerGone(null, "/s")).toBeNull();
  });
});

describe("reconnecting", () => {
  test("tries again with a growing pause until the controller answers, calling onRetry each time", async () => {
    const clock = fakeClock();
    let calls = 0;
    let retries = 0;
    const fail: string[] = [];
    const v = await reconnecting(
      ctx,
      async () => {
        calls++;
        if (calls < 6) throw calls % 2 ? fetchError("ECONNRESET") : new ControllerGone("gone", false);
        return "answer";
      },
      { windowMs: 60_000, ...clock, onRetry: () => retries++, notice: (l) => fail.push(l) },
    );
    expect(v).toBe("answer");
    expect(fail).toEqual([]); // back within 2 s: nothing said
    expect(clock.pauses).toEqual([50, 100, 200, 400, 800]);
    expect(retries).toBe(5);
  });

  test("gives up after the window: exit 3 saying where and how long it waited", async () => {
    const clock = fakeClock();
    const notices: string[] = [];
    const p = reconnecting(
      ctx,
      async () => {
        throw fetchError("ENOENT");
      },
      { windowMs: 3000, ...clock, notice: (l) => notices.push(l) },
    );
    const e = await p.catch((x: unknown) => x);
    // said once, after 2 s of silence (a restart's second or so goes unremarked)
    expect(notices).toEqual([
      "orch: the controller at /h is not answering; waiting up to 3 s for it to come back (ORCH_RECONNECT_WAIT)",
    ]);
    expect(e).toBeInstanceOf(CliError);
    expect((e as CliError).code).toBe(EXIT.unavailable);
    expect((e as CliError).message).toBe(
      "orch is not running at /h (waited 3 s for it to come back): run 'orch start'",
    );
    expect(clock.pauses.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  test("any other failure is thrown at once", async () => {
    const clock = fakeClock();
    const refusal = new CliError("unknown task", EXIT.usage);
    const p = reconnecting(
      ctx,
      async () => {
        throw refusal;
      },
      clock,
    );
    expect(await p.catch((x: unknown) => x)).toBe(refusal);
    expect(clock.pauses).toEqual([]);
  });

  test("ORCH_RECONNECT_WAIT: seconds; a bad value is a usage error naming it", () => {
    expect(reconnectWindowMs({})).toBe(60_000);
    expect(reconnectWindowMs({ ORCH_RECONNECT_WAIT: "2.5" })).toBe(2500);
    expect(reconnectWindowMs({ ORCH_RECONNECT_WAIT: "0" })).toBe(0);
    expect(() => reconnectWindowMs({ ORCH_RECONNECT_WAIT: "-1" })).toThrow(
      'ORCH_RECONNECT_WAIT "-1": expected seconds, 0 or more',
    );
  });
});

describe("failureLine", () => {
  test("a thrown error is one line and exit 3, never a stack trace", () => {
    const bug = failureLine(new TypeError("x is undefined"));
    expect(bug).toEqual({ line: "orch: unexpected error: x is undefined", code: EXIT.unavailable });
    const reset = failureLine(fetchError("ECONNRESET"));
    expect(reset.code).toBe(EXIT.unavailable);
    expect(reset.line).not.toContain("\n");
    expect(failureLine(new CliError("bad", EXIT.usage))).toEqual({ line: "orch: bad", code: EXIT.usage });
  });
});
