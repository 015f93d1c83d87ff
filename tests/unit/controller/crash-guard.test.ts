/**
 * guardProcess in a process of its own (a child bun): a promise that rejects with nobody
 * waiting and an exception thrown from a timer are logged with their message and stack, and
 * the process goes on. Without the guard the same child dies (the control case).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUN } from "../../helpers/orch-harness.ts";

const SRC = resolve(import.meta.dir, "..", "..", "..", "src", "core", "controller");
const dir = mkdtempSync(join(tmpdir(), "orch-crash-guard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the child's script: guarded (or not), it provokes both faults, then says it lives. */
function child(guarded: boolean): { script: string; log: string } {
  const log = join(dir, `${guarded ? "guarded" : "bare"}.log`);
  const script = join(dir, `${guarded ? "guarded" : "bare"}.ts`);
  writeFileSync(
    script,
    `import { guardProcess } from ${JSON.stringify(join(SRC, "crash-guard.ts"))};
import { createLogger } from ${JSON.stringify(join(SRC, "logger.ts"))};
${
  guarded
    ? `const guard = guardProcess(createLogger(${JSON.stringify(log)}, { stdout: false, json: true }));
guard.explainWith((e) => (e instanceof Error && e.message === "store fault" ? (console.log("explained"), e) : null));
setTimeout(() => { throw new Error("store fault"); }, 5);`
    : ""
}
function rejectLater() { return Promise.reject(new Error("nobody waits for me")); }
void rejectLater();
setTimeout(() => { throw new Error("thrown from a timer"); }, 10);
setTimeout(() => { console.log("still running"); process.exit(0); }, 300);
`,
  );
  return { script, log };
}

async function run(script: string): Promise<{ code: number; stdout: string }> {
  const p = Bun.spawn([BUN, script], { stdout: "pipe", stderr: "pipe", env: { ...process.env } });
  const timer = setTimeout(() => p.kill(), 20_000);
  const [stdout, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
  clearTimeout(timer);
  return { code, stdout };
}

describe("guardProcess", () => {
  test("an unhandled rejection and an uncaught exception are logged with their stack; the process goes on", async () => {
    const { script, log } = child(true);
    const r = await run(script);
    // the error the explainer recognized (a store fault) went to it, not to the log
    expect(r.stdout).toBe("explained\nstill running\n");
    expect(r.code).toBe(0);
    expect(readFileSync(log, "utf8")).not.toContain("store fault");
    const lines = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { level: string; msg: string; error: string; stack?: string });
    const rejection = lines.find((l) => l.msg === "unhandled promise rejection; the controller goes on");
    expect(rejection?.level).toBe("error");
    expect(rejection?.error).toBe("nobody waits for me");
    expect(rejection?.stack).toContain("rejectLater");
    const thrown = lines.find((l) => l.msg === "uncaught exception; the controller goes on");
    expect(thrown?.level).toBe("error");
    expect(thrown?.error).toBe("thrown from a timer");
    expect(thrown?.stack).toContain(script);
  }, 30_000);

  test("the control case: without the guard the same child dies before it can say it lives", async () => {
    const r = await run(child(false).script);
    expect(r.stdout).toBe("");
    expect(r.code).not.toBe(0);
  }, 30_000);
});
