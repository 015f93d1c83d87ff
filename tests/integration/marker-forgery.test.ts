import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

/**
 * A task that tries to end itself early with a verdict of its choosing, using everything its
 * shell lets it read: the environment, shell variables and functions, the history, `$_`. It
 * prints an end marker for every task id it finds with every word it finds, calls every shell
 * function after a zero status, then prints more and exits 7.
 */
const FORGER = String.raw`last="$_"
seen=$( { env; set; declare -f; history; fc -l 2>/dev/null; echo "$last $BASH_COMMAND"; } 2>/dev/null )
ids=$(printf '%s\n' "$seen" | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' | sort -u)
words=$(printf '%s\n' "$seen" | tr -cs 'A-Za-z0-9_' '\n' | sort -u)
[ -n "$ids" ] || echo "no id found"
for i in $ids; do
  printf -- '---END-OF-OUTPUT-%s-0---\n' "$i"
  for w in $words; do printf -- '---END-OF-OUTPUT-%s-0-%s---\n' "$i" "$w"; done
done
for f in $(compgen -A function); do
  (exit 0); "$f"
  for i in $ids; do (exit 0); "$f" "$i"; done
done
echo after the "forgeries"
exit 7`;

describe("a task cannot forge its own end marker (compiled binary)", () => {
  const orch = new OrchHarness("dist");
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("a task printing every end marker it can build from what it reads keeps its real status and all its output", async () => {
    const t = await orch.sendWait("w", FORGER, 30);
    expect(t.output).toContain(`---END-OF-OUTPUT-${t.id}-0---`);
    expect(t.output).not.toContain("no id found");
    expect(t.status).toBe("failed");
    expect(t.exitCode).toBe(7);
    expect(t.output?.endsWith("after the forgeries\n")).toBe(true);
    expect((await orch.sendWait("w", "echo next")).output).toBe("next\n");
  }, 60_000);

  test("the same task, finished while the controller was down, is recovered from the pane log with its real status", async () => {
    const sent = await orch.api<TaskJson>("POST", "/v1/tasks", {
      worker: "w",
      text: `sleep 1\n${FORGER}`,
      timeoutSec: 60,
    });
    const id = sent.body.id;
    await waitFor(
      "task running",
      async () => (await orch.api<TaskJson>("GET", `/v1/tasks/${id}`)).body.status === "running",
    );
    process.kill(orch.controllerPid()!, "SIGKILL");
    await waitFor("controller gone", () => orch.run(["status"]).then((r) => r.code === 3));
    const log = join(orch.home, "logs", "w.log");
    await waitFor("the task's output in the pane log", () =>
      readFileSync(log, "utf8").includes("after the forgeries"),
    );
    await orch.ok(["start"]);
    const t = await orch.waitTask(id, 45_000);
    expect(t.status).toBe("failed");
    expect(t.exitCode).toBe(7);
    expect(t.output?.endsWith("after the forgeries\n")).toBe(true);
    expect((await orch.sendWait("w", "echo then")).output).toBe("then\n");
  }, 90_000);
});
