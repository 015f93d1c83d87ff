/** Reading one line of Linux `/proc/PID/stat`. */
import { fail, ok, type Result } from "../domain/result.ts";

/** The fields of `/proc/PID/stat` that resource limits need, in the kernel's units. */
export interface ProcStat {
  pid: number;
  /** Field 4: the parent's pid (0 for the kernel's own roots). */
  ppid: number;
  /** Fields 14 and 15: CPU time in user and kernel mode, in clock ticks. */
  utimeTicks: number;
  stimeTicks: number;
  /** Field 24: resident set size, in pages. */
  rssPages: number;
}

/** Field numbers (1-based, as in proc(5)) counted after the command name, which is field 2. */
const FIELD_PPID = 4;
const FIELD_UTIME = 14;
const FIELD_STIME = 15;
const FIELD_RSS = 24;

/**
 * Parses the text of `/proc/PID/stat`. The command name (field 2) sits in parentheses and may
 * itself contain spaces and `)`, so the fields are read after the LAST `)`.
 *
 * @example
 * ```ts
 * parseProcStat("42 (my) (prog) S 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 9 1000 25 ...");
 * // { ok: true, value: { pid: 42, ppid: 1, utimeTicks: 7, stimeTicks: 3, rssPages: 25 } }
 * ```
 */
export function parseProcStat(text: string): Result<ProcStat> {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(")");
  if (open === -1 || close < open) {
    return fail("bad_input", `stat line ${preview(text)}: expected "PID (COMM) STATE PPID ..."`);
  }
  const pid = wholeNumber(text.slice(0, open));
  // after[0] is field 3 (state), so field n is after[n - 3]
  const after = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number | null => wholeNumber(after[n - 3] ?? "");
  const ppid = field(FIELD_PPID);
  const utimeTicks = field(FIELD_UTIME);
  const stimeTicks = field(FIELD_STIME);
  const rssPages = field(FIELD_RSS);
  if (pid === null || ppid === null || utimeTicks === null || stimeTicks === null || rssPages === null) {
    return fail(
      "bad_input",
      `stat line ${preview(text)}: expected whole numbers for pid, ppid (4), utime (14), stime (15) and rss (24)`,
    );
  }
  return ok({ pid, ppid, utimeTicks, stimeTicks, rssPages: Math.max(0, rssPages) });
}

/** A decimal integer (a negative one for rss, which the kernel prints signed), or null. */
function wholeNumber(s: string): number | null {
  if (!/^-?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** The start of a stat line, quoted, for error messages. */
function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text.trimEnd());
}
