/**
 * A permission prompt whose agent drops keys typed the moment the question opens (Claude Code
 * 2.1.332 ignores an Enter in its dialog's first ~150 ms): orch's policy answers only once the
 * prompt has been on screen for the plugin's `approval.answerDelayMs` (compiled binary, real tmux).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness } from "../helpers/orch-harness.ts";

/** Each line is a task; "ask" opens a question that drops keys typed in its first 300 ms. */
const AGENT = `#!/usr/bin/env bash
echo "ready> "
while IFS= read -r line; do
  echo "working..."
  answer=none
  if [[ $line == ask* ]]; then
    echo "Allow this? (y/n)"
    shown=$(date +%s%3N)
    while IFS= read -r -n1 key; do
      (( $(date +%s%3N) - shown < 300 )) && { echo "(dropped a key typed too soon)"; continue; }
      answer=$key; break
    done
  fi
  printf '{"answer":"%s"}' "$answer" | eval "$HOOK_DONE"
  echo "ready> "
done
`;

const PLUGIN = (agent: string, delayMs: number) => `import { definePlugin, pasteSafe } from "orch:sdk";
export default definePlugin(() => ({
  name: "asker",
  description: "a fake agent whose question drops keys typed too soon",
  version: "1.0.0",
  startup: (ctx) => ({ argv: ["bash", "--norc", ${JSON.stringify(agent)}], env: { HOOK_DONE: ctx.hook.command("finished") } }),
  frame: (task) => ({ text: pasteSafe(task.text), submit: ["Enter"] }),
  detect: {
    kind: "hook",
    hook: (e) => (e.event === "finished" ? "done" : null),
    // each state is the last line on screen
    screen: { busy: /working\\.\\.\\.\\s*$/, idle: /ready>\\s*$/, waiting_input: /Allow this\\? \\(y\\/n\\)\\s*$/ },
  },
  approval: { approveKeys: ["y"], denyKeys: ["n"], answerDelayMs: ${delayMs} },
  result: (i) => ({ text: String((i.hook?.payload as { answer?: string } | null)?.answer ?? "") }),
}));
`;

describe("answering a permission prompt after the plugin's answerDelayMs (compiled binary)", () => {
  const orch = new OrchHarness("dist", { ORCH_APPROVAL_POLICY: "approve" });

  beforeAll(async () => {
    await orch.ok(["start"]);
    const agent = join(orch.root, "asker.sh");
    writeFileSync(agent, AGENT, { mode: 0o755 });
    const plugin = join(orch.root, "asker.ts");
    writeFileSync(plugin, PLUGIN(agent, 600));
    await orch.ok(["plugin", "add", plugin]);
    await orch.ok(["add-worker", "--type", "asker", "--project", orch.project("p"), "--name", "a1"]);
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("the policy's key comes once the question has been up long enough, and is taken", async () => {
    const t = await orch.sendWait("a1", "ask: may I?", 20);
    expect([t.status, t.output]).toEqual(["succeeded", "y"]);
    expect(readFileSync(join(orch.home, "logs", "controller.log"), "utf8")).toContain(
      "permission prompt: approve by policy worker=a1",
    );
    expect((await orch.ok(["capture", "a1"])).includes("dropped a key typed too soon")).toBe(false);
  }, 60_000);
});
