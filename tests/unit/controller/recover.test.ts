import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endInLog, recoverFromLog } from "../../../src/core/controller/recover.ts";
import { TaskOutput } from "../../../src/core/controller/task-output.ts";

const dir = mkdtempSync(join(tmpdir(), "orch-recover-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const M = { startPrefix: "<S-", endPrefix: "<E-", suffix: ">" };
let n = 0;

function logs(previous: string | null, current: string): string {
  const log = join(dir, `w${++n}.log`);
  if (previous !== null) writeFileSync(`${log}.1`, previous);
  writeFileSync(log, current);
  return log;
}

const output = () =>
  new TaskOutput({ taskId: "t1", maxBytes: Number.POSITIVE_INFINITY, file: "", mask: null });

describe("crash recovery from pane logs", () => {
  test("a task cut in two by a rotation: its start in the previous log, its end in the current one", () => {
    const log = logs("$ run t1\r\n<S-t1>\r\nfirst half\r\n", "second half\r\n<E-t1-0>\r\n$ ");
    const out = output();
    expect(endInLog(log, "t1", [M], out)).toEqual({ ended: true, exitCode: 0 });
    expect(out.finish().text).toBe("first half\nsecond half\n");
  });

  test("only in the current log, or not ended yet", () => {
    const whole = logs(null, "<S-t1>\r\nall\r\n<E-t1-3>\r\n");
    const out = output();
    expect(endInLog(whole, "t1", [M], out)).toEqual({ ended: true, exitCode: 3 });
    expect(out.finish().text).toBe("all\n");
    expect(endInLog(logs("<S-t1>\r\nbegun\r\n", "more\r\n"), "t1", [M], output())).toEqual({
      ended: false,
      started: true,
    });
    expect(endInLog(logs(null, "$ typed, not begun\r\n"), "t1", [M], output())).toEqual({
      ended: false,
      started: false,
    });
  });

  test("following: the previous log first, then what the current one gets; also an end already in the previous one", async () => {
    const log = logs("<S-t1>\r\nbefore\r\n", "");
    const out = output();
    const done = new Promise<number>((resolve) =>
      recoverFromLog(log, "t1", [M], out, (r) => resolve(r.exitCode)),
    );
    appendFileSync(log, "after\r\n<E-t1-0>\r\n");
    expect(await done).toBe(0);
    expect(out.finish().text).toBe("before\nafter\n");

    // rotated just after the end and before the controller read it: the new log not even made yet
    const ended = logs("<S-t1>\r\nall of it\r\n<E-t1-2>\r\n", "$ ");
    rmSync(ended);
    const out2 = output();
    let code: number | null = null;
    const h = recoverFromLog(ended, "t1", [M], out2, (r) => {
      code = r.exitCode;
    });
    h.close();
    expect(code as number | null).toBe(2);
    expect(out2.finish().text).toBe("all of it\n");
  });
});
