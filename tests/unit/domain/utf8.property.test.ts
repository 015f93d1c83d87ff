/**
 * Property tests for UTF-8 handling: utf8ByteLength against TextEncoder, and the pane stream
 * decoder (WorkerRuntime.decode) on valid Unicode cut at arbitrary byte offsets.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { WorkerRuntime } from "../../../src/core/controller/worker-runtime.ts";
import { utf8ByteLength } from "../../../src/core/domain/utf8.ts";
import type { AgentPlugin } from "../../../src/core/plugin/contract.ts";
import { cuts, splitAt } from "../../helpers/chunks.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const codePoint = fc.string({ unit: "binary", minLength: 1, maxLength: 1 });

/** Valid Unicode of every UTF-8 length: ASCII, 2-, 3- and 4-byte characters, joiners, BOM. */
const validText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({
    unit: fc.oneof(
      codePoint,
      fc.constantFrom("a", "\n", "\r", "é", "\u07ff", "\u0800", "中", "\uffff", "😀", "\u{10ffff}"),
    ),
    maxLength: 60,
  }),
);

describe("utf8ByteLength (property)", () => {
  test("equals the length TextEncoder gives, lone surrogates included", () => {
    const anyText = fc.oneof(
      validText,
      fc.string({
        unit: fc.oneof(codePoint, loneSurrogate, fc.constantFrom("\ud83d", "\ude00", "a")),
        maxLength: 40,
      }),
    );
    fc.assert(
      fc.property(anyText, (s) => {
        expect(utf8ByteLength(s)).toBe(enc(s).length);
      }),
      { numRuns: 500 },
    );
  });

  test("is additive over a split between two code points", () => {
    fc.assert(
      fc.property(validText, validText, (a, b) => {
        expect(utf8ByteLength(a + b)).toBe(utf8ByteLength(a) + utf8ByteLength(b));
      }),
      { numRuns: 200 },
    );
  });
});

describe("WorkerRuntime.decode (property)", () => {
  const runtime = () => new WorkerRuntime("w1", "w1", {} as AgentPlugin, undefined);

  test("valid Unicode cut at arbitrary byte offsets decodes exactly", () => {
    fc.assert(
      // a leading U+FEFF is the one exception: see the known bug below
      fc.property(
        validText.filter((s) => !s.startsWith("\ufeff")),
        cuts(20),
        (s, how) => {
          const rt = runtime();
          const chunks = splitAt(enc(s), how);
          expect(chunks.map((c) => rt.decode(c)).join("")).toBe(s);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("a character is only given once all its bytes have arrived", () => {
    fc.assert(
      fc.property(validText, cuts(20), (s, how) => {
        const rt = runtime();
        const bytes = enc(`x${s}`);
        let seen = 0;
        let text = "";
        for (const chunk of splitAt(bytes, how)) {
          text += rt.decode(chunk);
          seen += chunk.length;
          // what came out so far is exactly the characters complete in the bytes seen so far
          expect(utf8ByteLength(text)).toBeLessThanOrEqual(seen);
          expect(seen - utf8ByteLength(text)).toBeLessThan(4);
          expect(text.isWellFormed()).toBe(true);
        }
        expect(text).toBe(`x${s}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("WorkerRuntime.decode: a leading U+FEFF", () => {
  // (found by the properties: the decoder dropped it as a byte-order mark until it got ignoreBOM)
  test("a U+FEFF at the start of the pane's output is kept", () => {
    const rt = new WorkerRuntime("w1", "w1", {} as AgentPlugin, undefined);
    expect(rt.decode(enc("\ufeffhello"))).toBe("\ufeffhello");
  });
});
