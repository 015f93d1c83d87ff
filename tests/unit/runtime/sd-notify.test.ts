import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openNotifySocket } from "../../../src/core/runtime/sd-notify.ts";
import { NotifyListener } from "../../helpers/notify-listener.ts";

const root = mkdtempSync(join(tmpdir(), "orch-sd-notify-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("openNotifySocket (bun:ffi sendto on a Unix datagram socket)", () => {
  const addresses = [
    ["a socket file", join(root, "notify.sock")],
    ["an abstract socket", `@orch-test-${process.pid}-${Date.now()}`],
  ] as const;
  for (const [what, address] of addresses) {
    test(`sends each message as one datagram to ${what}`, async () => {
      const listener = await NotifyListener.start(address);
      try {
        const opened = openNotifySocket(address);
        if (!opened.ok) throw new Error(opened.error);
        expect(opened.value.send("READY=1\nSTATUS=2 workers: 2 idle")).toEqual({
          ok: true,
          value: undefined,
        });
        expect(opened.value.send("WATCHDOG=1")).toEqual({ ok: true, value: undefined });
        await listener.waitFor("WATCHDOG=1", (m) => m === "WATCHDOG=1");
        expect(listener.messages).toEqual(["READY=1\nSTATUS=2 workers: 2 idle", "WATCHDOG=1"]);
        opened.value.close();
        expect(opened.value.send("WATCHDOG=1")).toEqual({
          ok: false,
          code: "unavailable",
          error: expect.stringContaining("closed"),
        });
      } finally {
        await listener.stop();
      }
    });
  }

  test("a send with nobody listening is an error naming the socket and the cause", () => {
    const address = join(root, "nobody-here.sock");
    const opened = openNotifySocket(address);
    if (!opened.ok) throw new Error(opened.error);
    const r = opened.value.send("READY=1");
    expect(r).toEqual({
      ok: false,
      code: "unavailable",
      error: `sending to notify socket ${address} failed: ENOENT (no socket at that path)`,
    });
    opened.value.close();
  });

  test("an address that is neither absolute nor abstract, or too long, is refused", () => {
    expect(openNotifySocket("run/notify")).toEqual({
      ok: false,
      code: "bad_input",
      error: 'notify socket "run/notify": expected an absolute path or an @abstract name',
    });
    expect(openNotifySocket(`/${"x".repeat(120)}`)).toEqual({
      ok: false,
      code: "bad_input",
      error: expect.stringContaining("expected 1 to 106 bytes"),
    });
    expect(openNotifySocket("@")).toEqual({
      ok: false,
      code: "bad_input",
      error: expect.stringContaining("expected 1 to 106 bytes"),
    });
  });
});
