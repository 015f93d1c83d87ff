import { describe, expect, test } from "bun:test";
import { describeExit } from "../../../src/core/domain/exit-status.ts";

describe("describeExit", () => {
  test("an exit status, as a number or as tmux printed it", () => {
    expect(describeExit(3, null)).toBe("agent exited with status 3");
    expect(describeExit("0", "")).toBe("agent exited with status 0");
    expect(describeExit("127", "0")).toBe("agent exited with status 127");
  });

  test("a signal is named, by number or by name (tmux prints either)", () => {
    expect(describeExit("", "9")).toBe("agent killed by signal 9 (SIGKILL)");
    expect(describeExit(null, 15)).toBe("agent killed by signal 15 (SIGTERM)");
    expect(describeExit(null, "KILL")).toBe("agent killed by signal 9 (SIGKILL)");
    expect(describeExit(null, "sighup")).toBe("agent killed by signal 1 (SIGHUP)");
    // numbers that differ between systems are shown as they are
    expect(describeExit(null, "10")).toBe("agent killed by signal 10");
    expect(describeExit(null, "USR1")).toBe("agent killed by SIGUSR1");
  });

  test("nothing known is a '?'", () => {
    expect(describeExit(null, null)).toBe("agent exited with status ?");
    expect(describeExit("", undefined)).toBe("agent exited with status ?");
    expect(describeExit("x", "")).toBe("agent exited with status ?");
  });
});
