import { describe, expect, test } from "bun:test";
import { parseProcStat } from "../../../../src/core/runtime/proc-stat.ts";
import { statLine } from "./fake-proc.ts";

describe("parseProcStat", () => {
  test("reads pid, ppid (4), utime (14), stime (15) and rss (24)", () => {
    const line = statLine({ pid: 42, comm: "node", ppid: 7, utime: 120, stime: 30, rss: 2560 });
    expect(parseProcStat(line)).toEqual({
      ok: true,
      value: { pid: 42, ppid: 7, utimeTicks: 120, stimeTicks: 30, rssPages: 2560 },
    });
  });

  test("a command name with spaces, parentheses and ') (' is skipped whole", () => {
    for (const comm of ["a b", "x) (y", ") 1 2 3 (", "((", "tmux: server"]) {
      const line = statLine({ pid: 9, comm, ppid: 3, utime: 5, stime: 6, rss: 7 });
      expect(parseProcStat(line)).toEqual({
        ok: true,
        value: { pid: 9, ppid: 3, utimeTicks: 5, stimeTicks: 6, rssPages: 7 },
      });
    }
  });

  test("a real line from a Linux kernel", () => {
    const line =
      "1234 (bash) S 1200 1234 1234 34816 1300 4194560 2790 18020 0 3 5 2 21 9 20 0 1 0 " +
      "51230 8871936 1372 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 3 0 0 0 0 0\n";
    expect(parseProcStat(line)).toEqual({
      ok: true,
      value: { pid: 1234, ppid: 1200, utimeTicks: 5, stimeTicks: 2, rssPages: 1372 },
    });
  });

  test("malformed lines are errors that quote the line", () => {
    expect(parseProcStat("")).toEqual({
      ok: false,
      code: "bad_input",
      error: 'stat line "": expected "PID (COMM) STATE PPID ..."',
    });
    const short = parseProcStat("5 (sh) S 1 5 5");
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.error).toContain('"5 (sh) S 1 5 5"');
    const notNumber = statLine({ pid: 5, comm: "sh", ppid: 1, utime: 0, stime: 0, rss: 0 }).replace(
      " 1 ",
      " x ",
    );
    expect(parseProcStat(notNumber).ok).toBe(false);
  });
});
