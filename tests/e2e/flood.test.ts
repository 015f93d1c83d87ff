/**
 * A worker printing as fast as it can, through the compiled binary: the controller's API and
 * the other workers go on answering meanwhile, and the flooding task's own timeout is kept.
 * (The deadlines are generous: they fail only when the flood holds the controller up, as it
 * did for the whole flood before; speed figures are in `bun run bench`, section flood.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

const harnesses: OrchHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.cleanup();
}, 60_000);

/** How long a command may take while the other worker floods (normally a fraction of a second). */
const ANSWER_MS = 5000;

describe("a worker printing flat out", () => {
  test("orch status answers, another worker's task completes, and the flood's --timeout is kept", async () => {
    const h = new OrchHarness("dist");
    harnesses.push(h);
    const project = await h.startWithWorker("f");
    await h.ok(["add-worker", "--type", "shell", "--project", project, "--name", "g"]);
    const flood = (await h.ok(["send", "f", "--timeout", "8", "yes flood-line-abcdefghijklmnop"])).trim();
    // the flood is under way (its task runs); each look must be answered in time too
    const status = async () => {
      const r = await h.run(["task", flood, "--json"], ANSWER_MS);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      return (JSON.parse(r.stdout) as TaskJson).status;
    };
    await waitFor("the flood running", async () => (await status()) === "running");
    // a few MB printed (what the controller holds of the task grows: the old scanner slowed
    // down with it until it could not keep up, and then nothing else ran)
    const log = join(h.home, "logs", "f.log");
    const printed = Date.now() + 6000;
    while (Date.now() < printed && (existsSync(log) ? statSync(log).size : 0) < 4_000_000) {
      expect(await status()).toBe("running");
      await Bun.sleep(100);
    }

    const st = await h.run(["status"], ANSWER_MS);
    expect({ code: st.code, stderr: st.stderr }).toEqual({ code: 0, stderr: "" });
    const other = await h.run(["send", "g", "echo hi-from-g", "--wait"], ANSWER_MS);
    expect({ code: other.code, stdout: other.stdout }).toEqual({ code: 0, stdout: "hi-from-g\n" });

    const done = await h.waitTask(flood, 20_000);
    expect(done.status).toBe("timed_out");
    expect(done.error).toContain("timed out after 8 s");
    // the flood was interrupted: the worker takes tasks again
    const after = await h.run(["send", "f", "echo after", "--wait", "--timeout", "20"], 30_000);
    expect({ code: after.code, stdout: after.stdout }).toEqual({ code: 0, stdout: "after\n" });
  }, 60_000);
});
