/**
 * Readiness from the agent's own signal (compiled binary, real tmux): a plugin whose hook rule
 * says `ready` (Claude Code's SessionStart) makes a starting worker ready whatever its screen
 * shows, so a redesigned screen cannot break start-up; the same signal later, in the middle of
 * a task (Claude Code runs SessionStart again after /clear or a compaction), changes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson } from "../helpers/orch-harness.ts";

/**
 * A fake agent: prints a start-up screen no screen rule knows, then says it is ready through
 * its hook; each line is a task: "working...", a done hook carrying the answer, "answered".
 * A line starting with "again" sends the ready hook once more in the middle of its turn.
 */
const AGENT = `#!/usr/bin/env bash
echo "warming up: a screen no rule of the plugin knows"
printf '{"source":"startup"}' | eval "$HOOK_READY"
while IFS= read -r line; do
  echo "working..."
  if [[ $line == again* ]]; then printf '{"source":"clear"}' | eval "$HOOK_READY"; sleep 1; fi
  sleep 0.3
  printf '{"answer":"got %s"}' "$line" | eval "$HOOK_DONE"
  echo "answered: $line"
done
`;

const PLUGIN = (agent: string) => `import { definePlugin, pasteSafe } from "orch:sdk";
export default definePlugin(() => ({
  name: "hooky",
  description: "a fake agent that says when it is ready through its hook",
  version: "1.0.0",
  startup: (ctx) => ({
    argv: ["bash", "--norc", ${JSON.stringify(agent)}],
    env: { HOOK_READY: ctx.hook.command("started"), HOOK_DONE: ctx.hook.command("finished") },
  }),
  frame: (task) => ({ text: pasteSafe(task.text), submit: ["Enter"] }),
  detect: {
    kind: "hook",
    hook: (e) => (e.event === "started" ? "ready" : e.event === "finished" ? "done" : null),
    // the fallback: an idle rule this agent's screen never matches
    screen: { busy: /working\\.\\.\\./, idle: /^never shown$/m },
  },
  result: (i) => ({ text: String((i.hook?.payload as { answer?: string } | null)?.answer ?? "") }),
}));
`;

describe("readiness from the agent's hook (compiled binary)", () => {
  const orch = new OrchHarness("dist", { ORCH_WORKER_STARTUP_TIMEOUT: "5" });
  let project = "";

  beforeAll(async () => {
    await orch.ok(["start"]);
    project = orch.project("p");
    const agent = join(orch.root, "hooky-agent.sh");
    writeFileSync(agent, AGENT, { mode: 0o755 });
    const plugin = join(orch.root, "hooky.ts");
    writeFileSync(plugin, PLUGIN(agent));
    await orch.ok(["plugin", "add", plugin]);
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("a worker whose screen no rule knows is ready once its agent's hook says so", async () => {
    const r = await orch.run(["add-worker", "--type", "hooky", "--project", project, "--name", "h1"], 30_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("h1");
    const log = readFileSync(join(orch.home, "logs", "controller.log"), "utf8");
    expect(log).toMatch(/the agent says it is ready worker=h1 hook=started/);
    const t = await orch.sendWait("h1", "first task");
    expect(t.status).toBe("succeeded");
    expect(t.output).toBe("got first task");
  }, 60_000);

  test("the ready signal in the middle of a task changes nothing: the next task waits its turn", async () => {
    const a = (await orch.ok(["send", "h1", "again, mid-turn"])).trim();
    const b = (await orch.ok(["send", "h1", "second"])).trim();
    const ta: TaskJson = await orch.waitTask(a);
    const tb: TaskJson = await orch.waitTask(b);
    expect([ta.status, ta.output]).toEqual(["succeeded", "got again, mid-turn"]);
    expect([tb.status, tb.output]).toEqual(["succeeded", "got second"]);
    // had the signal made the busy worker ready, "second" would have gone in beside the first
    expect(Date.parse(tb.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ta.finishedAt!));
  }, 60_000);
});
