import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OrchHarness, type StatusJson } from "../helpers/orch-harness.ts";

/**
 * Terminal queries a task prints: tmux answers each on the pane's input, after the task has
 * ended, where bash's readline takes it as typed text (OSC 10/11 are answered only when the
 * pane's colours are known, hence the window-style set below).
 */
const QUERIES: Record<string, string> = {
  "DSR (cursor position)": "\\033[6n",
  "DA (device attributes)": "\\033[c",
  "OSC 11 (background colour), BEL-ended": "\\033]11;?\\a",
  "OSC 10 (foreground colour), ST-ended": "\\033]10;?\\033\\\\",
};

describe("every task starts from a clean input line (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  let pane = "";
  beforeAll(async () => {
    await orch.startWithWorker("w");
    const s = await orch.json<StatusJson>(["status"]);
    pane = s.workers.find((w) => w.name === "w")?.paneId ?? "";
    expect(pane).toMatch(/^%\d+$/);
    // tmux answers OSC 10/11 only with colours it knows
    expect(orch.tmux("set", "-p", "-t", pane, "window-style", "fg=#aabbcc,bg=#112233").code).toBe(0);
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  for (const [name, query] of Object.entries(QUERIES)) {
    test(`a task that sends a terminal query (${name}) leaves the next task its exact output`, async () => {
      const asked = await orch.sendWait("w", `printf '${query}'; echo asked`, 20);
      expect(asked.status).toBe("succeeded");
      expect(asked.output).toContain("asked\n");
      const next = await orch.sendWait("w", "echo hello", 10);
      expect(next.error).toBeNull();
      expect(next.status).toBe("succeeded");
      expect(next.output).toBe("hello\n");
    }, 60_000);
  }

  test("text typed into the pane between tasks (an attached user) does not join the next task", async () => {
    expect((await orch.sendWait("w", "echo first", 10)).output).toBe("first\n");
    expect(orch.tmux("send-keys", "-t", pane, "-l", "stray words; echo typed").code).toBe(0);
    const next = await orch.sendWait("w", "echo hello", 10);
    expect(next.status).toBe("succeeded");
    expect(next.output).toBe("hello\n");
    // a half-typed escape sequence and a reverse search left open are dropped too
    expect(orch.tmux("send-keys", "-t", pane, "C-r", "-l", "ech").code).toBe(0);
    const after = await orch.sendWait("w", "echo again", 10);
    expect(after.status).toBe("succeeded");
    expect(after.output).toBe("again\n");
  }, 60_000);

  test("the health pass's echo probe after a terminal query and stray keys still gets its answer", async () => {
    expect((await orch.sendWait("w", "printf '\\033[6n'; echo asked", 20)).status).toBe("succeeded");
    expect(orch.tmux("send-keys", "-t", pane, "-l", "stray").code).toBe(0);
    const r = await orch.run(["health-check", "--json"]);
    const report = JSON.parse(r.stdout) as { worker: string; verdict: string; reason: string }[];
    expect(report[0]).toMatchObject({ worker: "w", verdict: "healthy" });
    expect(report[0]!.reason).toMatch(/^idle, answered its probe in \d+ ms$/);
    expect((await orch.sendWait("w", "echo hello", 10)).output).toBe("hello\n");
  }, 60_000);

  test("a task with a shell syntax error fails at once with bash's message and status 2", async () => {
    for (const text of ["echo hi )", "if true; then echo x", "echo 'unclosed", "case x in"]) {
      const t = await orch.sendWait("w", text, 30);
      expect(t.status).toBe("failed");
      expect(t.exitCode).toBe(2);
      expect(t.output ?? "").toMatch(/syntax error|unexpected EOF/);
      // and the worker goes on with the next task
      expect((await orch.sendWait("w", "echo ok", 10)).output).toBe("ok\n");
    }
  }, 120_000);
});
