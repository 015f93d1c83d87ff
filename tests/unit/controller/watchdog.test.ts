import { afterEach, describe, expect, test } from "bun:test";
import type { Logger, LogLevel } from "../../../src/core/controller/logger.ts";
import { notifySettings } from "../../../src/core/controller/notify-settings.ts";
import {
  type NotifySink,
  type ProbeResult,
  pingEveryMs,
  type ServiceWatchdog,
  startServiceWatchdog,
  statusLine,
} from "../../../src/core/controller/watchdog.ts";
import { fail, OK, ok } from "../../../src/core/domain/result.ts";
import { waitFor } from "../../helpers/orch-harness.ts";

describe("notifySettings (sd_notify(3) and sd_watchdog_enabled(3) semantics)", () => {
  test("no NOTIFY_SOCKET, or an empty one: not a notify service, nothing to send", () => {
    expect(notifySettings({}, 42)).toBeNull();
    expect(notifySettings({ NOTIFY_SOCKET: "", WATCHDOG_USEC: "30000000" }, 42)).toBeNull();
  });

  test("WATCHDOG_USEC in microseconds turns the watchdog on, in milliseconds", () => {
    expect(notifySettings({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "30000000" }, 42)).toEqual({
      socket: "/run/systemd/notify",
      watchdogMs: 30_000,
      notes: [],
    });
    expect(
      notifySettings({ NOTIFY_SOCKET: "@n", WATCHDOG_USEC: "30000000", WATCHDOG_PID: "42" }, 42),
    ).toEqual({
      socket: "@n",
      watchdogMs: 30_000,
      notes: [],
    });
    expect(notifySettings({ NOTIFY_SOCKET: "@n" }, 42)).toEqual({
      socket: "@n",
      watchdogMs: null,
      notes: [],
    });
  });

  test("a WATCHDOG_PID of another process, or a bad WATCHDOG_USEC, leaves the watchdog off and says why", () => {
    expect(notifySettings({ NOTIFY_SOCKET: "@n", WATCHDOG_USEC: "30000000", WATCHDOG_PID: "7" }, 42)).toEqual(
      {
        socket: "@n",
        watchdogMs: null,
        notes: ["WATCHDOG_PID 7 is not this process (42); watchdog off"],
      },
    );
    for (const bad of ["0", "-5", "30s", "1e9"]) {
      expect(notifySettings({ NOTIFY_SOCKET: "@n", WATCHDOG_USEC: bad }, 42)?.notes).toEqual([
        `WATCHDOG_USEC "${bad}": expected a positive whole number of microseconds; watchdog off`,
      ]);
    }
  });
});

describe("statusLine and pingEveryMs", () => {
  test("counts the workers by state", () => {
    expect(statusLine([])).toBe("no workers");
    expect(statusLine(["idle"])).toBe("1 worker: 1 idle");
    expect(statusLine(["idle", "running", "idle", "dead"])).toBe("4 workers: 2 idle, 1 running, 1 dead");
  });

  test("pings four times per WATCHDOG_USEC, so one failed probe does not cost a restart", () => {
    expect(pingEveryMs(30_000)).toBe(7_500);
    expect(pingEveryMs(2)).toBe(1);
  });
});

describe("startServiceWatchdog", () => {
  let sent: string[];
  let closed: boolean;
  let logs: Array<{ level: LogLevel; msg: string }>;
  let probe: () => ProbeResult;
  let watchdog: ServiceWatchdog | null = null;
  const logger: Logger = { log: (level, msg) => logs.push({ level, msg }) };
  const sink: NotifySink = {
    send: (text) => {
      sent.push(text);
      return OK;
    },
    close: () => {
      closed = true;
    },
  };

  function start(watchdogMs: number | null, open = true): ServiceWatchdog {
    sent = [];
    closed = false;
    logs = [];
    watchdog = startServiceWatchdog({
      settings: { socket: "@test", watchdogMs, notes: [] },
      open: () => (open ? ok(sink) : fail("unavailable", "cannot load libc")),
      probe: async () => probe(),
      logger,
    });
    return watchdog;
  }
  afterEach(() => watchdog?.stopping("test over"));

  test("READY=1 waits for the first probe that answers, then WATCHDOG=1 pings follow", async () => {
    let calls = 0;
    probe = () => (++calls < 3 ? fail("unavailable", "connection refused") : ok("no workers"));
    const wd = start(40);
    await wd.ready();
    expect(calls).toBe(3);
    expect(sent).toEqual(["READY=1\nSTATUS=no workers"]);
    await waitFor("three pings", () => sent.filter((m) => m === "WATCHDOG=1").length >= 3, 5000);
    wd.stopping("SIGTERM");
    expect(sent.at(-1)).toBe("STOPPING=1\nSTATUS=stopping (SIGTERM)");
    expect(closed).toBe(true);
  });

  test("no ping while the probe fails: STATUS says why, and pings resume when it answers", async () => {
    probe = () => ok("1 worker: 1 idle");
    const wd = start(40);
    await wd.ready();
    await waitFor("a ping", () => sent.includes("WATCHDOG=1"), 5000);
    let failures = 0;
    probe = () => {
      failures++;
      return fail("unavailable", "GET /v1/status: no answer within 10 ms");
    };
    await waitFor("the failure's STATUS", () => sent.at(-1)?.startsWith("STATUS=not answering"), 5000);
    const failedAt = sent.length;
    await waitFor("three more failed probes", () => failures >= 4, 5000);
    expect(sent.slice(failedAt)).toEqual([]);
    expect(logs.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
      "systemd watchdog: no ping, the controller did not answer: GET /v1/status: no answer within 10 ms",
    ]);
    probe = () => ok("1 worker: 1 running");
    await waitFor("pings again", () => sent.at(-1) === "WATCHDOG=1", 5000);
    expect(sent.slice(failedAt)[0]).toBe("WATCHDOG=1\nSTATUS=1 worker: 1 running");
  });

  test("without WATCHDOG_USEC only READY=1 and STOPPING=1 go out", async () => {
    let probes = 0;
    probe = () => {
      probes++;
      return ok("no workers");
    };
    const wd = start(null);
    await wd.ready();
    // meanwhile a watchdog with pings probes three times: the timers had time to fire
    const other: string[] = [];
    const pinging = startServiceWatchdog({
      settings: { socket: "@other", watchdogMs: 20, notes: [] },
      open: () =>
        ok({
          send: (t) => {
            other.push(t);
            return OK;
          },
          close: () => undefined,
        }),
      probe: async () => ok("no workers"),
      logger,
    });
    await pinging.ready();
    await waitFor(
      "the other watchdog's pings",
      () => other.filter((m) => m === "WATCHDOG=1").length >= 3,
      5000,
    );
    pinging.stopping("test over");
    wd.stopping("orch stop");
    expect(probes).toBe(1);
    expect(sent).toEqual(["READY=1\nSTATUS=no workers", "STOPPING=1\nSTATUS=stopping (orch stop)"]);
  });

  test("a socket that cannot be opened is logged, and the daemon runs on", async () => {
    probe = () => ok("no workers");
    const wd = start(40, false);
    await wd.ready();
    wd.stopping("SIGTERM");
    expect(sent).toEqual([]);
    expect(logs).toEqual([
      { level: "error", msg: "systemd notify: cannot load libc; systemd will not hear that orch is ready" },
    ]);
  });
});
