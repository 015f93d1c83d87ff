/**
 * Property tests for MarkerScanner: a pane stream `echo + START+id+SUFFIX\r\n + output +
 * END+id-STATUS+SUFFIX + rest`, fed in random chunks, gives back exactly the output and the
 * status; checked against a whole-stream reference, and against a real bash running the shell
 * plugin's framing.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { MarkerScanner, type ScanResult } from "../../../src/core/controller/marker-scanner.ts";
import { resolveConfig } from "../../../src/core/domain/config-resolve.ts";
import type { MarkerSpec } from "../../../src/core/plugin/contract.ts";
import { shellQuote } from "../../../src/core/tmux/quote.ts";
import { frameShellTask } from "../../../src/plugins/shell/index.ts";
import { type Cuts, cuts, splitAt } from "../../helpers/chunks.ts";

/** orch's markers: the controller's start prefix and the config defaults. */
const DEFAULT: MarkerSpec = {
  startPrefix: "---START-OF-OUTPUT-",
  endPrefix: "---END-OF-OUTPUT-",
  suffix: "---",
};

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

interface Expected {
  /** How many characters must have arrived for the scanner to report the start. */
  startNeeds: number;
  outStart: number;
  end: { raw: string; exitCode: number; markerEnd: number } | null;
}

/**
 * The whole-stream reading, written from the marker protocol: output starts after the first
 * start marker and its line end (CR LF or LF); it ends at the first `END+id-` followed by 1 to 4
 * digits and the suffix.
 */
function reference(stream: string, id: string, m: MarkerSpec): Expected | null {
  const start = `${m.startPrefix}${id}${m.suffix}`;
  const i = stream.indexOf(start);
  if (i < 0) return null;
  let from = i + start.length;
  // deciding on the line end needs the next character (two after a CR)
  const startNeeds = stream[from] === "\r" ? from + 2 : from + 1;
  if (startNeeds > stream.length) return null;
  if (stream.startsWith("\r\n", from)) from += 2;
  else if (stream[from] === "\n") from += 1;
  const re = new RegExp(`${escapeRe(`${m.endPrefix}${id}-`)}(\\d{1,4})${escapeRe(m.suffix)}`, "g");
  re.lastIndex = from;
  const e = re.exec(stream);
  if (!e) return { startNeeds, outStart: from, end: null };
  return {
    startNeeds,
    outStart: from,
    end: { raw: stream.slice(from, e.index), exitCode: Number(e[1]), markerEnd: e.index + e[0].length },
  };
}

/**
 * Feeds the chunks to a new scanner (stopping at "done", as the controller does) and checks every
 * step against the reference: when the start is reported (once), `partial`, and the final result.
 */
function checkScan(stream: string, id: string, m: MarkerSpec, how: Cuts): void {
  const want = reference(stream, id, m);
  const s = new MarkerScanner(id, m);
  let consumed = 0;
  let starts = 0;
  let done: Extract<ScanResult, { kind: "done" }> | null = null;
  let doneChunkStart = -1;
  for (const chunk of splitAt(stream, how)) {
    const r = s.push(chunk);
    consumed += chunk.length;
    const shouldHaveStarted = want !== null && consumed >= want.startNeeds;
    if (r.startedNow) {
      starts++;
      // reported in the very chunk that completed the start line
      expect(consumed - chunk.length < want!.startNeeds && shouldHaveStarted).toBe(true);
    }
    expect(s.hasStarted).toBe(shouldHaveStarted);
    if (r.kind === "done") {
      done = r;
      doneChunkStart = consumed - chunk.length;
      break;
    }
    if (shouldHaveStarted) expect(s.partial).toBe(stream.slice(want!.outStart, consumed));
    else expect(s.partial).toBe("");
  }
  expect(starts).toBe(want === null ? 0 : 1);
  if (want?.end) {
    expect(done).not.toBeNull();
    expect({ raw: done!.raw, exitCode: done!.exitCode }).toEqual({
      raw: want.end.raw,
      exitCode: want.end.exitCode,
    });
    // done as soon as the end marker is complete; `rest` is the remainder of that chunk
    expect(doneChunkStart < want.end.markerEnd && want.end.markerEnd <= consumed).toBe(true);
    expect(done!.rest).toBe(stream.slice(want.end.markerEnd, consumed));
  } else {
    expect(done).toBeNull();
  }
}

const id = fc.oneof(fc.uuid(), fc.uuid(), fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,11}$/));

/** Markers as a config may set them (no control characters); a suffix starting with a digit is a
 * known bug (see the failing test at the end), so it is left out here. */
const markerText = fc.string({
  unit: fc.constantFrom(
    "-",
    "=",
    "#",
    "<",
    ">",
    "_",
    ":",
    "A",
    "E",
    "S",
    "x",
    "é",
    "'",
    '"',
    "%",
    "$",
    " ",
    "9",
  ),
  minLength: 3,
  maxLength: 12,
});
const markers: fc.Arbitrary<MarkerSpec> = fc.oneof(
  fc.constant(DEFAULT),
  fc
    .record({ startPrefix: markerText, endPrefix: markerText, suffix: markerText })
    .filter((m) => !/^\d/.test(m.suffix)),
);

/** Any Unicode, line ends, escape sequences: what a task may print. */
const textPiece = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.constantFrom(
    "\r\n",
    "\n",
    "\r",
    "\x1b[31m",
    "\x1b[0m",
    "\x1b]0;t\x07",
    "$ ",
    "-",
    "0",
    "42",
    " ",
    "\t",
    "\ufeff",
  ),
);

/** Pieces that look like markers: fragments, other tasks' markers, our end head without a status. */
const markerPiece = (taskId: string, m: MarkerSpec): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      m.endPrefix,
      m.startPrefix,
      m.suffix,
      `${m.endPrefix}${taskId}`,
      `${m.endPrefix}${taskId}-`,
      `${m.endPrefix}${taskId}-x${m.suffix}`,
      `${m.endPrefix}${taskId}--1${m.suffix}`,
      `${m.endPrefix}${taskId}-12345${m.suffix}`,
      `${m.startPrefix}${taskId}${m.suffix}`,
      `${m.endPrefix}${taskId.slice(0, -1)}-0${m.suffix}`,
      `${m.endPrefix}${taskId}-7`,
      `'${m.endPrefix.slice(3)}${taskId}' "$?" '${m.suffix}'`,
    ),
    fc
      .tuple(fc.uuid(), fc.nat(255))
      .filter(([other]) => other !== taskId)
      .map(([other, code]) => `${m.endPrefix}${other}-${code}${m.suffix}`),
  );

/** A pane stream around one task: echoed command line, start line, output, end marker, prompt. */
const scenario = (withMarkerPieces: boolean) =>
  fc
    .tuple(id, markers)
    .chain(([taskId, m]) => {
      const piece = withMarkerPieces ? fc.oneof(textPiece, markerPiece(taskId, m)) : textPiece;
      const echo = `$ printf '%s%s\\n' '${m.startPrefix.slice(0, 3)}' '${m.startPrefix.slice(3)}${taskId}${m.suffix}'; (\r\n`;
      return fc.record({
        taskId: fc.constant(taskId),
        m: fc.constant(m),
        before: fc.oneof(
          fc.constant(echo),
          fc.array(textPiece, { maxLength: 5 }).map((p) => `${p.join("")}${echo}`),
        ),
        lineEnd: fc.constantFrom("\r\n", "\n"),
        output: fc.array(piece, { maxLength: 12 }).map((p) => p.join("")),
        status: fc.oneof(fc.nat(255), fc.nat(9999)),
        rest: fc.constantFrom("", "\r\n", "\r\n\x1b[?2004h$ ", "\r\n$ more output"),
      });
    })
    .map((x) => {
      const start = `${x.m.startPrefix}${x.taskId}${x.m.suffix}`;
      const end = `${x.m.endPrefix}${x.taskId}-${x.status}${x.m.suffix}`;
      return { ...x, stream: `${x.before}${start}${x.lineEnd}${x.output}${end}${x.rest}` };
    });

describe("MarkerScanner (property)", () => {
  test("random output between the markers comes back exactly, with the status, in any chunking", () => {
    fc.assert(
      fc.property(
        scenario(false).filter(
          ({ stream, taskId, m, output }) => reference(stream, taskId, m)?.end?.raw === output,
        ),
        cuts(20),
        ({ stream, taskId, m, output, status, rest }, how) => {
          checkScan(stream, taskId, m, how);
          const whole = new MarkerScanner(taskId, m).push(stream);
          expect(whole).toEqual({ kind: "done", startedNow: true, exitCode: status, raw: output, rest });
        },
      ),
      { numRuns: 300 },
    );
  });

  test("other tasks' markers, marker fragments and our end head without a status are not the end", () => {
    fc.assert(
      fc.property(
        scenario(true).filter(
          ({ stream, taskId, m, output }) => reference(stream, taskId, m)?.end?.raw === output,
        ),
        cuts(20),
        ({ stream, taskId, m, output, status }, how) => {
          checkScan(stream, taskId, m, how);
          expect(new MarkerScanner(taskId, m).push(stream)).toMatchObject({ raw: output, exitCode: status });
        },
      ),
      { numRuns: 300 },
    );
  });

  test("any stream, markers or not, cut anywhere: the scanner agrees with the whole-stream reference", () => {
    const anyStream = fc.tuple(id, markers).chain(([taskId, m]) => {
      const pieces = fc
        .array(
          fc.oneof(
            { arbitrary: textPiece, weight: 3 },
            { arbitrary: markerPiece(taskId, m), weight: 2 },
            fc.nat(300).map(String),
            fc.constantFrom(m.suffix, `${m.startPrefix}${taskId}${m.suffix}`),
          ),
          { maxLength: 8 },
        )
        .map((p) => p.join(""));
      return fc.record({
        taskId: fc.constant(taskId),
        m: fc.constant(m),
        stream: fc
          .tuple(
            pieces,
            fc.option(fc.constantFrom("", "\r", "\n", "\r\n", "\r\r\n", "x")),
            pieces,
            // an end marker of this task, with a status of 1 to 5 digits
            fc.option(fc.oneof(fc.nat(255), fc.nat(99_999))),
            pieces,
          )
          .map(([pre, lineEnd, mid, status, post]) => {
            const start = lineEnd === null ? "" : `${m.startPrefix}${taskId}${m.suffix}${lineEnd}`;
            const end = status === null ? "" : `${m.endPrefix}${taskId}-${status}${m.suffix}`;
            return `${pre}${start}${mid}${end}${post}`;
          }),
      });
    });
    fc.assert(
      fc.property(anyStream, cuts(20), ({ stream, taskId, m }, how) => {
        checkScan(stream, taskId, m, how);
      }),
      { numRuns: 400 },
    );
  });

  test("a start marker after more than 64 KB of other output is still found, cut anywhere near it", () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.integer({ min: 66_000, max: 140_000 }),
        fc.oneof(fc.integer({ min: -3, max: 60 }), fc.constantFrom(-1, 0, 1, 56, 57, 58)),
        fc.string({ unit: "grapheme", maxLength: 30 }),
        (taskId, size, offset, output) => {
          const start = `---START-OF-OUTPUT-${taskId}---`;
          const noise = "x---START-OF-OUTPUT-".repeat(Math.ceil(size / 20)).slice(0, size);
          const stream = `${noise}${start}\r\n${output}---END-OF-OUTPUT-${taskId}-3---\r\n`;
          fc.pre(reference(stream, taskId, DEFAULT)?.end?.raw === output);
          // the first chunk ends `offset` characters into the 58-character start marker (the scanner has then
          // dropped most of the noise), the second a little later
          const cut1 = size + offset;
          const cut2 = Math.min(stream.length, cut1 + 1 + (offset & 7));
          const chunks = [stream.slice(0, cut1), stream.slice(cut1, cut2), stream.slice(cut2)];
          const s = new MarkerScanner(taskId, DEFAULT);
          let r: ScanResult = { kind: "pending", startedNow: false };
          for (const c of chunks) {
            r = s.push(c);
            if (r.kind === "done") break;
          }
          expect(r).toMatchObject({ kind: "done", raw: output, exitCode: 3 });
          checkScan(stream, taskId, DEFAULT, { at: [cut1 / stream.length] });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("MarkerScanner with the shell plugin's framing run by a real bash (property)", () => {
  // What a task may print through a paste-safe task text: any Unicode but control characters
  // other than TAB and LF (pasteSafe refuses those).
  const printable = fc
    .string({
      unit: fc.oneof(fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), fc.constantFrom("\n", "\t")),
    })
    .map((s) => s.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, ""));

  test("bash prints the markers around the task's exact output and its status", () => {
    fc.assert(
      fc.property(fc.uuid(), markers, printable, fc.nat(255), cuts(10), (taskId, m, out, code, how) => {
        const text = `printf '%s' ${shellQuote(out)}\nexit ${code}`;
        const framed = frameShellTask({ id: taskId, text }, m);
        // the framed text itself never holds a marker, so its echo cannot end the task
        expect(framed).not.toContain(`${m.startPrefix}${taskId}${m.suffix}`);
        expect(framed).not.toContain(`${m.endPrefix}${taskId}-`);
        const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", framed], {
          env: { PATH: process.env.PATH },
        });
        const stdout = new TextDecoder("utf-8", { ignoreBOM: true }).decode(p.stdout);
        fc.pre(reference(stdout, taskId, m)?.end?.raw === out); // the output itself may hold a marker
        checkScan(stdout, taskId, m, how);
        expect(new MarkerScanner(taskId, m).push(stdout)).toMatchObject({
          kind: "done",
          raw: out,
          exitCode: code,
        });
      }),
      { numRuns: 40 },
    );
  });
});

describe("MarkerScanner: a suffix that starts with a digit", () => {
  // The scanner takes up to 4 digits after `END+id-` greedily and then wants the suffix: a suffix
  // that starts with a digit swallows into the status and the end is never found. So the
  // config refuses such a suffix (endMarkerSuffix); this pins both halves.
  test("is not found by the scanner, and the config refuses it", () => {
    const m: MarkerSpec = { startPrefix: "<S", endPrefix: "<E", suffix: "0>" };
    const r = new MarkerScanner("t", m).push("<St0>\r\nout<Et-30>\r\n$ ");
    expect(r.kind).toBe("pending");
    const cfg = resolveConfig({ endMarkerSuffix: "0>" }, {});
    expect(cfg.ok).toBe(false);
    expect(JSON.stringify(cfg)).toContain("does not start with a digit");
  });
});
