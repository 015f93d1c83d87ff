/**
 * Property tests for the control-mode parser: generated transcripts (responses, %output,
 * %extended-output, notifications, stray lines) with a model of the messages they must give,
 * fed whole, in random chunks and with CRLF; %output's octal escaping; garbage input.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  type ControlMessage,
  ControlParser,
  decodeOctalEscapes,
  type TmuxNotification,
} from "../../../src/core/tmux/control-parser.ts";
import { cuts, splitAt, withCrlf } from "../../helpers/chunks.ts";
import { FIXTURE_DIR } from "./record-fixtures.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Parses `chunks` in order with one fresh parser. */
function parseChunks(chunks: Uint8Array[]): ControlMessage[] {
  const parser = new ControlParser();
  return chunks.flatMap((c) => parser.push(c));
}

/** A comparable form of messages (bytes as hex; `holder[key]` is the value before a Buffer's toJSON). */
const canon = (msgs: ControlMessage[]): string =>
  JSON.stringify(msgs, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Uint8Array ? Buffer.from(raw).toString("hex") : v;
  });

/** Plain Uint8Array concatenation (a Buffer's `slice` would be a view, not a copy). */
const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/**
 * tmux's %output escaping: bytes below 0x20 and `\` as `\ooo`, the rest raw. `escapeHigh` also
 * escapes bytes from 0x7f up, `escapeAll` every byte (the parser must decode any `\ooo`).
 */
function tmuxEscape(data: Uint8Array, escapeHigh: boolean, escapeAll: boolean): Uint8Array {
  const out: number[] = [];
  for (const b of data) {
    if (escapeAll || b < 0x20 || b === 0x5c || (escapeHigh && b >= 0x7f)) {
      out.push(0x5c, ...enc(b.toString(8).padStart(3, "0")));
    } else out.push(b);
  }
  return Uint8Array.from(out);
}

/** One line of text as tmux could write it: valid Unicode, no LF, not ending in CR. */
const lineText = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.string({
      unit: fc.constantFrom("%", " ", ":", "\\", "\r", "\t", "@", "$", "é", "😀", "\ufeff", "0", "1", "a"),
      maxLength: 30,
    }),
  )
  .map((s) => s.replaceAll("\n", "").replace(/\r+$/, ""))
  .filter((s) => s.isWellFormed());

const id = fc.oneof(fc.nat({ max: 20 }), fc.nat({ max: 2 ** 40 }));

/** A transcript item: the line(s) it is written as, and the messages they must give. */
interface Item {
  bytes: Uint8Array;
  expected: ControlMessage[];
}

const textItem = (line: string, event: TmuxNotification): Item => ({
  bytes: enc(`${line}\n`),
  expected: [{ kind: "notification", event }],
});

const KNOWN = new Set([
  "window-add",
  "window-close",
  "unlinked-window-close",
  "window-renamed",
  "sessions-changed",
  "session-changed",
  "pane-mode-changed",
  "pause",
  "continue",
  "exit",
  "subscription-changed",
  "output",
  "extended-output",
  "begin",
]);

const notification: fc.Arbitrary<Item> = fc.oneof(
  fc
    .tuple(fc.constantFrom("window-add", "window-close", "unlinked-window-close"), id)
    .map(([type, n]) => textItem(`%${type} @${n}`, { type, windowId: `@${n}` } as TmuxNotification)),
  fc
    .tuple(fc.constantFrom("pane-mode-changed", "pause", "continue"), id)
    .map(([type, n]) => textItem(`%${type} %${n}`, { type, paneId: `%${n}` } as TmuxNotification)),
  fc
    .tuple(id, lineText)
    .map(([n, name]) =>
      textItem(`%window-renamed @${n} ${name}`, { type: "window-renamed", windowId: `@${n}`, name }),
    ),
  fc
    .tuple(id, lineText)
    .map(([n, name]) =>
      textItem(`%session-changed $${n} ${name}`, { type: "session-changed", sessionId: `$${n}`, name }),
    ),
  fc.constant(textItem("%sessions-changed", { type: "sessions-changed" })),
  lineText.map((reason) =>
    textItem(reason === "" ? "%exit" : `%exit ${reason}`, { type: "exit", reason: reason || null }),
  ),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), id, lineText).map(([name, n, value]) =>
    textItem(`%subscription-changed ${name} $0 @1 2 %${n} : ${value}`, {
      type: "subscription-changed",
      name,
      paneId: `%${n}`,
      value,
    }),
  ),
  // unknown notifications are kept by name
  fc
    .tuple(
      fc.stringMatching(/^[a-z][a-z-]{0,14}$/).filter((n) => !KNOWN.has(n)),
      lineText,
    )
    .map(([name, args]) => textItem(`%${name} ${args}`, { type: "other", name, args })),
  // a line that is not protocol at all
  lineText.filter((l) => !l.startsWith("%")).map((l) => textItem(l, { type: "other", name: "", args: l })),
);

const output: fc.Arbitrary<Item> = fc
  .record({
    pane: id,
    data: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 80 }).map(enc),
      fc.string({ unit: fc.constantFrom("\\", "\r", "\n", "\\012", "%end 1 2 1", "\x1b[1m", "中") }).map(enc),
      fc
        .array(fc.oneof(fc.string({ minLength: 60, maxLength: 150 }), fc.constant("\n")), { maxLength: 4 })
        .map((p) => enc(p.join(""))),
    ),
    escapeHigh: fc.boolean(),
    escapeAll: fc.boolean(),
    extended: fc.oneof(fc.constant(null), fc.constantFrom(" 0", " 12", " 3 future", "")),
  })
  .map(({ pane, data, escapeHigh, escapeAll, extended }) => {
    const body = tmuxEscape(data, escapeHigh, escapeAll);
    const head =
      extended === null
        ? `%output %${pane}${data.length > 0 ? " " : ""}`
        : `%extended-output %${pane}${extended} : `;
    return {
      bytes: Uint8Array.from([...enc(head), ...body, 0x0a]),
      expected: [{ kind: "output", paneId: `%${pane}`, data }],
    };
  });

/** A %begin block whose body lines may imitate the protocol, but never its own closing line. */
const response: fc.Arbitrary<Item> = fc
  .record({
    time: fc.nat({ max: 2 ** 31 }),
    number: fc.nat({ max: 1_000_000 }),
    flags: fc.constantFrom(0, 1),
    ok: fc.boolean(),
    lines: fc.array(
      fc.oneof(
        lineText,
        fc
          .tuple(fc.constantFrom("%end", "%error", "%begin"), fc.nat(3), fc.nat(3), fc.nat(1))
          .map(([w, a, b, c]) => `${w} ${a} ${b} ${c}`),
        fc.constantFrom("%output %0 not output", "%exit", "%window-add @1", "%begin", "%end", ""),
      ),
      { maxLength: 6 },
    ),
  })
  .map(({ time, number, flags, ok, lines }) => {
    const tail = `${time} ${number} ${flags}`;
    const body = lines.filter((l) => l !== `%end ${tail}` && l !== `%error ${tail}`);
    const text = [`%begin ${tail}`, ...body, `${ok ? "%end" : "%error"} ${tail}`].join("\n");
    return {
      bytes: enc(`${text}\n`),
      expected: [{ kind: "response", number, flags, ok, lines: body }],
    };
  });

const transcript = fc.array(fc.oneof(response, output, notification), { maxLength: 25 }).map((items) => ({
  bytes: concat(items.map((i) => i.bytes)),
  expected: items.flatMap((i) => i.expected),
}));

describe("ControlParser (property)", () => {
  test("a generated transcript gives exactly its messages, in any chunking", () => {
    fc.assert(
      fc.property(transcript, cuts(30), ({ bytes, expected }, how) => {
        const want = canon(expected);
        expect(canon(parseChunks([bytes]))).toBe(want);
        expect(canon(parseChunks(splitAt(bytes, how)))).toBe(want);
      }),
      { numRuns: 300 },
    );
  });

  test("CR LF line ends give the same messages", () => {
    fc.assert(
      fc.property(transcript, cuts(10), ({ bytes, expected }, how) => {
        expect(canon(parseChunks(splitAt(withCrlf(bytes), how)))).toBe(canon(expected));
      }),
      { numRuns: 200 },
    );
  });

  test("a chunk reused by the caller after push does not change what comes out", () => {
    fc.assert(
      fc.property(transcript, cuts(20), ({ bytes, expected }, how) => {
        const parser = new ControlParser();
        const got: string[] = [];
        for (const chunk of splitAt(bytes, how)) {
          const own = chunk.slice();
          // messages are read before the chunk is overwritten, as a reading loop would
          got.push(...parser.push(own).map((m) => canon([m])));
          own.fill(0x25);
        }
        expect(got).toEqual(expected.map((m) => canon([m])));
      }),
      { numRuns: 200 },
    );
  });

  test("recorded transcripts: any chunking gives what the whole gives", () => {
    const names = ["pane-output.txt", "errors.txt", "windows.txt", "flow-control.txt", "server-killed.txt"];
    const fixtures = names.map((n) => new Uint8Array(readFileSync(join(FIXTURE_DIR, n))));
    const wholes = fixtures.map((f) => canon(parseChunks([f])));
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), cuts(60), (i, how) => {
        expect(canon(parseChunks(splitAt(fixtures[i]!, how)))).toBe(wholes[i]!);
      }),
      { numRuns: 300 },
    );
  });

  test("garbage never throws, every line outside a block is one message, chunking changes nothing", () => {
    const garbageLine = fc
      .oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc
          .array(
            fc.constantFrom(
              "%",
              "%output ",
              "%extended-output ",
              " : ",
              "%end 1 2 1",
              "\\",
              "\\0",
              "\r",
              "\xff",
              "é",
            ),
            { maxLength: 8 },
          )
          .map((parts) => enc(parts.join(""))),
      )
      .map((b) => b.filter((x) => x !== 0x0a))
      // a %begin line opens a block that would swallow the rest: that is checked elsewhere
      .filter((b) => !Buffer.from(b).toString("latin1").startsWith("%begin "));
    fc.assert(
      fc.property(fc.array(garbageLine, { maxLength: 10 }), transcript, cuts(20), (garbage, t, how) => {
        const head = concat(garbage.flatMap((g) => [g, Uint8Array.of(0x0a)]));
        const bytes = concat([head, t.bytes]);
        const whole = parseChunks([bytes]);
        expect(whole.length).toBe(garbage.length + t.expected.length);
        expect(canon(whole.slice(garbage.length))).toBe(canon(t.expected));
        expect(canon(parseChunks(splitAt(bytes, how)))).toBe(canon(whole));
      }),
      { numRuns: 300 },
    );
  });

  test("arbitrary bytes in arbitrary chunks: never throws, same messages as whole", () => {
    const noisy = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .array(
          fc.constantFrom(
            "%begin 1 2 1\n",
            "%end 1 2 1\n",
            "%error 1 2 1\n",
            "%output %1 a\\012\n",
            "x",
            "\n",
            "\r",
            "\\",
          ),
          {
            maxLength: 30,
          },
        )
        .map((p) => enc(p.join(""))),
    );
    fc.assert(
      fc.property(noisy, cuts(20), (bytes, how) => {
        const whole = canon(parseChunks([bytes]));
        expect(canon(parseChunks(splitAt(bytes, how)))).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });
});

describe("decodeOctalEscapes (property)", () => {
  test("undoes tmux's escaping of arbitrary bytes, however much is escaped", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.string({ unit: "binary", maxLength: 500 }).map(enc),
          // long runs with nothing to escape between escaped bytes (the decoder copies those in bulk)
          fc
            .array(
              fc.oneof(fc.string({ minLength: 50, maxLength: 200 }), fc.constantFrom("\\", "\n", "\x00")),
              {
                maxLength: 12,
              },
            )
            .map((p) => enc(p.join(""))),
        ),
        fc.boolean(),
        fc.boolean(),
        (data, escapeHigh, escapeAll) => {
          expect(
            Buffer.from(decodeOctalEscapes(tmuxEscape(data, escapeHigh, escapeAll))).toString("hex"),
          ).toBe(Buffer.from(data).toString("hex"));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("matches a reference decoder on arbitrary bytes (a backslash not before \\[0-3][0-7][0-7] stays)", () => {
    const reference = (b: Uint8Array): string =>
      Buffer.from(
        Buffer.from(b)
          .toString("latin1")
          .replace(/\\([0-3][0-7][0-7])/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8))),
        "latin1",
      ).toString("hex");
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc
        .array(
          fc.constantFrom("\\", "\\0", "\\01", "\\012", "\\377", "\\400", "\\8", "\\\\", "7", "x", "\xff"),
          {
            maxLength: 40,
          },
        )
        .map((p) => Uint8Array.from(Buffer.from(p.join(""), "latin1"))),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        expect(Buffer.from(decodeOctalEscapes(b)).toString("hex")).toBe(reference(b));
      }),
      { numRuns: 300 },
    );
  });

  test("bytes without a backslash come back as they are", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const plain = data.filter((b) => b !== 0x5c);
        expect(decodeOctalEscapes(plain)).toEqual(plain);
      }),
      { numRuns: 200 },
    );
  });
});
