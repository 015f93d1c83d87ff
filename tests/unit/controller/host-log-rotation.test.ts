/**
 * A host's pane logs rotated from here, with a fake host: its log sizes are listed over ssh only
 * when a worker's log may be near the size (or the listing is old), a log over the size is
 * renamed there between tasks, and a pipe that follows the rename is left open.
 */
import { describe, expect, test } from "bun:test";
import { HostLogRotation } from "../../../src/core/controller/host-log-rotation.ts";
import { NO_MASKING } from "../../../src/core/controller/masking.ts";
import type { TmuxHosts } from "../../../src/core/controller/tmux-hosts.ts";
import { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { ok } from "../../../src/core/domain/result.ts";
import { markerPlugin } from "../../helpers/fake-pane.ts";

function setup() {
  const sizes = new Map<string, number>([["b1", 100]]);
  const calls: string[] = [];
  const host = {
    name: "h1",
    remote: true,
    online: true,
    place: {
      logSizes: async () => {
        calls.push("list");
        return new Map(sizes);
      },
      rotateLog: async (w: string) => {
        calls.push(`rotate ${w}`);
        sizes.set(w, 0);
        return ok(undefined);
      },
    },
    ops: { listPanes: async () => [{ paneId: "%5", logFollowsRename: true }] },
    pipeLog: async () => void calls.push("pipe"),
  };
  const rt = new WorkerRuntime("id-b1", "b1", markerPlugin(), /\$ $/);
  Object.assign(rt, { host: "h1", paneId: "%5", phase: "ready" });
  const rotation = new HostLogRotation({
    maxBytes: 1000,
    hosts: { all: () => [host] } as unknown as TmuxHosts,
    runtimes: new Map([["b1", rt]]),
    masking: NO_MASKING,
    logger: { log: () => undefined },
  });
  return { sizes, calls, rt, rotation };
}

describe("HostLogRotation", () => {
  test("an idle host is listed once, then not again until its workers printed enough to be near the size", async () => {
    const s = setup();
    expect(await s.rotation.run()).toEqual([]);
    expect(s.calls).toEqual(["list"]);
    s.rt.bytesSeen += 500; // 100 + 500: far from 1000
    expect(await s.rotation.run()).toEqual([]);
    expect(s.calls).toEqual(["list"]);
    s.rt.bytesSeen += 400; // 100 + 900 > 90% of 1000: listed again
    s.sizes.set("b1", 1001);
    expect(await s.rotation.run()).toEqual(["b1"]);
    // renamed on the host; orch's filter follows the rename, so its pipe is left open
    expect(s.calls).toEqual(["list", "list", "rotate b1"]);
    expect(await s.rotation.run()).toEqual([]);
    expect(s.calls).toEqual(["list", "list", "rotate b1", "list"]);
  });

  test("a log over the size is not rotated while its worker has a task in flight", async () => {
    const s = setup();
    s.sizes.set("b1", 5000);
    Object.defineProperty(s.rt, "currentTaskId", { get: () => "t1" });
    expect(await s.rotation.run()).toEqual([]);
    expect(s.calls).toEqual(["list"]);
  });
});
