/**
 * Property tests for how task output is cleaned: stripAnsi, normalizeNewlines, cleanOutput, and
 * the chunked StreamCleaner (chunked must equal whole).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { StreamCleaner } from "../../../src/core/domain/clean-stream.ts";
import { cleanOutput, normalizeNewlines, stripAnsi } from "../../../src/core/domain/text.ts";
import { cuts, splitAt } from "../../helpers/chunks.ts";

const charIn = (lo: number, hi: number): fc.Arbitrary<string> =>
  fc.integer({ min: lo, max: hi }).map((c) => String.fromCharCode(c));
const codePoint = fc.string({ unit: "binary", minLength: 1, maxLength: 1 });

/** Text without ESC: any Unicode, line ends, tabs, BEL and the characters escapes are made of. */
const plainText = fc
  .string({
    unit: fc.oneof(
      codePoint,
      fc.constantFrom(
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\x07",
        "[",
        "]",
        "\\",
        "(",
        "#",
        ";",
        "0",
        "m",
        "P",
        "é",
        "😀",
      ),
    ),
    maxLength: 20,
  })
  .map((s) => s.replaceAll("\x1b", ""));

// Complete escape sequences, one per kind stripAnsi knows.
const csi = fc
  .tuple(
    fc.string({ unit: charIn(0x30, 0x3f), maxLength: 6 }),
    fc.string({ unit: charIn(0x20, 0x2f), maxLength: 2 }),
    charIn(0x40, 0x7e),
  )
  .map(([params, inter, final]) => `\x1b[${params}${inter}${final}`);
const oscBody = fc.string({ unit: fc.oneof(codePoint, fc.constantFrom(";", "8", "\\", "]")), maxLength: 30 });
const osc = fc
  .tuple(
    oscBody.map((b) => b.replace(/[\x07\x1b]/g, "")),
    fc.constantFrom("\x07", "\x1b\\"),
  )
  .map(([body, st]) => `\x1b]${body}${st}`);
const dcs = fc
  .tuple(
    fc.constantFrom("P", "X", "^", "_"),
    oscBody.map((b) => b.replace(/[\x07\x1b]/g, "")),
  )
  .map(([kind, body]) => `\x1b${kind}${body}\x1b\\`);
const nf = (intermediates: fc.Arbitrary<string>) =>
  fc.tuple(intermediates, charIn(0x30, 0x7e)).map(([i, f]) => `\x1b${i}${f}`);
const twoChar = charIn(0x30, 0x7e)
  .filter((c) => !"[]PX^_".includes(c))
  .map((c) => `\x1b${c}`);

/** Any complete sequence, nF with any intermediates. */
const sequence = fc.oneof(
  csi,
  osc,
  dcs,
  nf(fc.string({ unit: charIn(0x20, 0x2f), minLength: 1, maxLength: 3 })),
  twoChar,
);

/** ESC in odd places: alone, unfinished, followed by anything. */
const escJunk = fc.oneof(
  fc.constantFrom(
    "\x1b",
    "\x1b[",
    "\x1b[12",
    "\x1b]0;tit",
    "\x1bPab",
    "\x1b(",
    "\x1b\x1b",
    "\x1b\r",
    "\x1b\n",
    "\x1b%",
  ),
  codePoint.map((c) => `\x1b${c}`),
);

describe("stripAnsi (property)", () => {
  test("text without ESC is unchanged", () => {
    fc.assert(
      fc.property(plainText, (s) => {
        expect(stripAnsi(s)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  test("complete sequences between text pieces are all removed and the pieces kept", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(plainText, sequence), { maxLength: 10 }), plainText, (pairs, last) => {
        const text = pairs.map(([t, seq]) => t + seq).join("") + last;
        expect(stripAnsi(text)).toBe(pairs.map(([t]) => t).join("") + last);
      }),
      { numRuns: 500 },
    );
  });

  test("an unfinished sequence at the very end is removed too", () => {
    const unfinished = fc.oneof(
      fc
        .tuple(
          fc.string({ unit: charIn(0x30, 0x3f), maxLength: 6 }),
          fc.string({ unit: charIn(0x20, 0x2f), maxLength: 2 }),
        )
        .map(([params, inter]) => `\x1b[${params}${inter}`),
      oscBody.map((b) => `\x1b]${b.replace(/[\x07\x1b]/g, "")}`),
      fc
        .tuple(fc.constantFrom("P", "X", "^", "_"), oscBody)
        .map(([kind, b]) => `\x1b${kind}${b.replace(/\x1b/g, "")}`),
      fc.string({ unit: charIn(0x20, 0x2f), maxLength: 3 }).map((i) => `\x1b${i}`),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(plainText, sequence), { maxLength: 5 }),
        plainText,
        unfinished,
        (pairs, last, tail) => {
          const text = pairs.map(([t, seq]) => t + seq).join("") + last + tail;
          expect(stripAnsi(text)).toBe(pairs.map(([t]) => t).join("") + last);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("on any text: no ESC is left, only characters are removed, and it is idempotent", () => {
    const anyText = fc
      .array(fc.oneof(plainText, sequence, escJunk), { maxLength: 12 })
      .map((p) => p.join(""));
    fc.assert(
      fc.property(anyText, (s) => {
        const out = stripAnsi(s);
        expect(out).not.toContain("\x1b");
        expect(stripAnsi(out)).toBe(out);
        // `out` is `s` with some characters taken out
        let i = 0;
        for (const c of out) {
          i = s.indexOf(c, i);
          expect(i).toBeGreaterThanOrEqual(0);
          i += c.length;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("normalizeNewlines and cleanOutput (property)", () => {
  const crText = fc.string({
    unit: fc.oneof(codePoint, fc.constantFrom("\r", "\r", "\n", "\r\n", "\r\r\n")),
  });

  test("no CR LF is left, only CRs are removed, LFs are kept, and it is idempotent", () => {
    fc.assert(
      fc.property(crText, (s) => {
        const out = normalizeNewlines(s);
        expect(out).not.toContain("\r\n");
        expect(out.replaceAll("\r", "")).toBe(s.replaceAll("\r", ""));
        expect(normalizeNewlines(out)).toBe(out);
        if (!s.includes("\r")) expect(out).toBe(s);
        // a CR not before a LF (a redrawn line) is kept
        expect(out.split("\r").length).toBe(s.replace(/\r+\n/g, "\n").split("\r").length);
      }),
      { numRuns: 300 },
    );
  });

  test("cleanOutput: no ESC, no CR LF, and the same as stripping then normalizing", () => {
    const anyText = fc
      .array(fc.oneof(plainText, crText, sequence, escJunk), { maxLength: 12 })
      .map((p) => p.join(""));
    fc.assert(
      fc.property(anyText, (s) => {
        const out = cleanOutput(s);
        expect(out).not.toMatch(/\x1b|\r\n/);
        expect(out).toBe(normalizeNewlines(stripAnsi(s)));
        expect(cleanOutput(out)).toBe(out);
      }),
      { numRuns: 300 },
    );
  });
});

/** Feeds `chunks` to a new StreamCleaner and returns everything it gave, flush included. */
function cleanChunks(chunks: string[]): string {
  const c = new StreamCleaner();
  let out = "";
  for (const chunk of chunks) out += c.push(chunk);
  return out + c.flush();
}

/**
 * Takes out of `s` the patterns where chunking is known to change the result (src bugs, see the
 * failing tests below): a CR before an ESC or another CR, an nF escape other than `ESC ( ) #` +
 * final, a BEL inside DCS/SOS/PM/APC; and ends every OSC/DCS body before 100 characters (a
 * longer one than the cleaner's 256-character hold is a documented limit).
 */
function avoidKnownDivergences(s: string): string {
  for (let i = 0; i < 20; i++) {
    const next = s
      .replace(/\r+(?=\x1b)/g, "")
      .replace(/\r{2,}/g, "\r")
      .replace(/\x1b(?=[\x20-\x22\x24-\x27\x2a-\x2f])/g, "")
      .replace(/(\x1b[()#])[\x20-\x2f]+/g, "$1")
      .replace(/(\x1b[PX^_][^\x1b\x07]*)\x07/g, "$1")
      .replace(/(\x1b[\]PX^_][^\x07\x1b]{100})(?=[^\x07\x1b])/g, "$1\x1b\\");
    if (next === s) return s;
    s = next;
  }
  throw new Error("avoidKnownDivergences did not settle");
}

describe("StreamCleaner (property)", () => {
  const streamSequence = fc.oneof(csi, osc, dcs, nf(fc.constantFrom("(", ")", "#")), twoChar);
  // pieces around the known divergences (kept in by the generator, taken out by the sanitizer)
  const tricky = fc.constantFrom(
    "\r",
    "\r\n",
    "\r\r\n",
    "\r\x1b[K\n",
    "\x1b%G",
    "\x1b $",
    "\x1bPq\x07x",
    "\x1b((B",
  );
  const stream = fc
    .array(fc.oneof(plainText, plainText, streamSequence, escJunk, tricky), { maxLength: 30 })
    .map((p) => avoidKnownDivergences(p.join("")));

  test("any chunking gives what cleanOutput gives on the whole text", () => {
    fc.assert(
      fc.property(stream, cuts(30), (s, how) => {
        expect(cleanChunks(splitAt(s, how))).toBe(cleanOutput(s));
      }),
      { numRuns: 500 },
    );
  });

  test("long text with unfinished sequences (held, then let go after 256 characters) too", () => {
    const long = fc
      .array(fc.oneof(fc.string({ minLength: 50, maxLength: 300 }), streamSequence, escJunk, plainText), {
        maxLength: 12,
      })
      .map((p) => avoidKnownDivergences(p.join("")));
    fc.assert(
      fc.property(long, cuts(20), (s, how) => {
        expect(cleanChunks(splitAt(s, how))).toBe(cleanOutput(s));
      }),
      { numRuns: 200 },
    );
  });

  test("on any input and any chunking it never throws and never lets an ESC through", () => {
    const anyStream = fc
      .array(fc.oneof(plainText, sequence, escJunk), { maxLength: 20 })
      .map((p) => p.join(""));
    fc.assert(
      fc.property(anyStream, cuts(20), (s, how) => {
        expect(cleanChunks(splitAt(s, how))).not.toContain("\x1b");
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Known divergences between StreamCleaner and cleanOutput (src/core/domain/clean-stream.ts):
 * each input cut in two gives a different text than the whole. When one is fixed, its test here
 * starts failing: drop `.failing` and remove the pattern from avoidKnownDivergences above.
 */
describe("StreamCleaner: known bugs", () => {
  const cases: [string, string, string][] = [
    // only the last CR of a run is held: the first goes out alone, so CR CR LF keeps a CR
    ["a run of CRs cut before its LF", "a\r\r", "\n"],
    // a CR right before a held escape sequence goes out before the sequence is removed
    ["a CR before an escape sequence cut in two", "a\r\x1b[", "K\n"],
    // isCompleteEscape treats `ESC %` (any nF intermediate but ( ) #) as complete
    ["an nF escape such as ESC % G cut after its intermediate", "\x1b%", "G"],
    // ... and the same for a second intermediate after ESC ( ) #
    ["an nF escape with two intermediates (ESC ( ( B) cut before its final", "\x1b((", "B"],
    // isCompleteEscape takes BEL as the end of DCS/SOS/PM/APC; the ESCAPE regex does not
    ["a DCS string with a BEL in it", "\x1bPq\x07", "more"],
  ];
  for (const [name, a, b] of cases) {
    test.failing(name, () => {
      expect(cleanChunks([a, b])).toBe(cleanOutput(a + b));
    });
  }
});
