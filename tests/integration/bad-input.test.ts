import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type StatusJson, type TaskJson } from "../helpers/orch-harness.ts";

describe("bad input: one clear line on stderr, exit 2, controller untouched", () => {
  const orch = new OrchHarness("src");
  let project = "";
  beforeAll(async () => {
    project = await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  const cases: Array<[string, () => string[], RegExp]> = [
    ["unknown worker", () => ["send", "nope", "true", "--wait"], /unknown worker "nope"/],
    [
      "unknown type",
      () => ["add-worker", "--type", "robot", "--project", project],
      /unknown agent type "robot".*shell/,
    ],
    [
      "missing project",
      () => ["add-worker", "--type", "shell", "--project", join(project, "missing")],
      /does not exist/,
    ],
    [
      "name with a space",
      () => ["add-worker", "--type", "shell", "--project", project, "--name", "a b"],
      /bad worker name "a b"/,
    ],
    [
      "name with shell characters",
      () => ["add-worker", "--type", "shell", "--project", project, "--name", "x;rm"],
      /bad worker name/,
    ],
    [
      "duplicate name",
      () => ["add-worker", "--type", "shell", "--project", project, "--name", "w"],
      /already exists/,
    ],
    ["empty task", () => ["send", "w", ""], /empty/],
    ["whitespace-only task", () => ["send", "w", "   "], /empty/],
    ["task with ESC", () => ["send", "w", "echo \u001b[201~"], /control character U\+001B/],
    ["bad timeout", () => ["send", "w", "true", "--timeout", "abc"], /--timeout/],
    ["unknown command", () => ["frobnicate"], /unknown command "frobnicate"/],
    ["unknown flag", () => ["status", "--frob"], /Unknown option/i],
    ["add-worker without --type", () => ["add-worker", "--project", project], /--type needs a value/],
    ["unknown task id", () => ["task", "0000"], /unknown task "0000"/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const r = await orch.run(args());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toContain("    at ");
    });
  }

  test("a NUL byte in a task (through the API) is refused with 400", async () => {
    const r = await orch.api<{ error: string }>("POST", "/v1/tasks", { worker: "w", text: "echo a\u0000b" });
    expect(r.status).toBe(400);
    expect(r.body.error).toContain("NUL");
  });

  test("an API body with unknown keys is refused", async () => {
    const r = await orch.api<{ error: string }>("POST", "/v1/tasks", { worker: "w", text: "true", bogus: 1 });
    expect(r.status).toBe(400);
  });

  test("after all of that the controller still runs, with nothing lost", async () => {
    const st = await orch.json<StatusJson>(["status"]);
    expect(st.workers.map((w) => `${w.name}:${w.state}`)).toEqual(["w:idle"]);
    const t = await orch.sendWait("w", "echo fine");
    expect(t.output).toBe("fine\n");
    const all = await orch.json<TaskJson[]>(["results"]);
    expect(all.filter((x) => x.status !== "succeeded")).toEqual([]);
  });

  test("text after -- is never read as a flag", async () => {
    const r = await orch.run(["send", "w", "--wait", "--", "echo", "-n", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("--json");
  });
});

describe("environment problems", () => {
  test("status without a controller says so and exits 3", async () => {
    const orch = new OrchHarness("src");
    try {
      const r = await orch.run(["status"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("orch is not running");
    } finally {
      await orch.cleanup();
    }
  });

  test("tmux missing: start says what to install and exits 3", async () => {
    const orch = new OrchHarness("src");
    try {
      const bin = orch.project("bin");
      const r = await orch.run(["start"], 30_000, { PATH: bin });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("install tmux 3.2 or newer");
    } finally {
      await orch.cleanup();
    }
  });

  test("tmux older than 3.2: start says so and exits 3", async () => {
    const orch = new OrchHarness("src");
    try {
      const bin = orch.project("bin");
      writeFileSync(join(bin, "tmux"), "#!/bin/sh\necho 'tmux 2.9a'\n", { mode: 0o755 });
      const r = await orch.run(["start"], 30_000, { PATH: `${bin}:/usr/bin:/bin` });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("tmux 2.9a is too old");
    } finally {
      await orch.cleanup();
    }
  });

  test("a bad config value names the key, the value and what was expected", async () => {
    const orch = new OrchHarness("src", { ORCH_COMMAND_TIMEOUT: "soon" });
    try {
      const r = await orch.run(["start"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ORCH_COMMAND_TIMEOUT="soon"');
    } finally {
      await orch.cleanup();
    }
  });
});
