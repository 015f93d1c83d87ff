/**
 * Recovery from a pane log when the task may have been framed by an older orch (no nonce):
 * the form whose start marker comes first is the task's, and only its end marker ends it.
 */
import { describe, expect, test } from "bun:test";
import { EitherMarkerScanner } from "../../../src/core/controller/either-marker-scanner.ts";
import { taskMarkers } from "../../../src/core/controller/task-markers.ts";
import { DEFAULT_MARKERS } from "../../helpers/fake-pane.ts";

const base = DEFAULT_MARKERS;
const own = taskMarkers(base, "key", "t1");
const start = (m: typeof base) => `${m.startPrefix}t1${m.suffix}\r\n`;
const end = (m: typeof base, exit: number) => `${m.endPrefix}t1-${exit}${m.suffix}\r\n`;

describe("EitherMarkerScanner", () => {
  test("a task framed with its nonce: an end marker without it is output", () => {
    const s = new EitherMarkerScanner("t1", [own, base]);
    const r = s.push(`echo\r\n${start(own)}${start(base)}${end(base, 0)}after\r\n${end(own, 7)}$ `);
    expect(r).toMatchObject({ kind: "done", exitCode: 7, raw: `${start(base)}${end(base, 0)}after\r\n` });
  });

  test("a task an older orch framed (no nonce) ends at the configured end marker", () => {
    const s = new EitherMarkerScanner("t1", [own, base]);
    expect(s.push(`echo\r\n${start(base)}hi\r\n`).kind).toBe("pending");
    expect(s.push(end(base, 3))).toMatchObject({ kind: "done", exitCode: 3, raw: "hi\r\n" });
  });

  test("a start marker split over reads is found", () => {
    const s = new EitherMarkerScanner("t1", [own, base]);
    const text = `noise\r\n${start(own)}out\r\n${end(own, 0)}`;
    let last = s.push(text.slice(0, 12));
    for (let i = 12; i < text.length; i += 5) last = s.push(text.slice(i, i + 5));
    expect(last).toMatchObject({ kind: "done", exitCode: 0, raw: "out\r\n" });
  });

  test("a configured start that is the head of the nonce form's is not taken before its line ends", () => {
    // suffix "-a": the configured start `...t1-a` begins the nonce form's `...t1-a…-a` when the nonce starts with a
    const m = { ...base, suffix: "-a" };
    const nonced = { ...m, suffix: "-abc-a" };
    const s = new EitherMarkerScanner("t1", [nonced, m]);
    expect(s.push(`${m.startPrefix}t1-a`).kind).toBe("pending");
    expect(s.push("bc-a\r\nout\r\n").kind).toBe("pending");
    expect(s.push(`${m.endPrefix}t1-0-a\r\n`).kind).toBe("pending");
    expect(s.push(`${m.endPrefix}t1-5-abc-a\r\n`)).toMatchObject({
      kind: "done",
      exitCode: 5,
      raw: `out\r\n${m.endPrefix}t1-0-a\r\n`,
    });
  });

  test("one form only: as MarkerScanner", () => {
    const s = new EitherMarkerScanner("t1", [base]);
    expect(s.push(`${start(base)}x\r\n${end(base, 0)}`)).toMatchObject({ kind: "done", raw: "x\r\n" });
  });
});
