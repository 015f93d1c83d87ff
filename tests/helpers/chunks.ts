/** fast-check helpers for feeding a stream in random chunks. */
import fc from "fast-check";

interface Sliceable<T> {
  length: number;
  slice(from: number, to?: number): T;
}

/**
 * How to cut a stream into chunks: either cut points (fractions in [0, 1] of its length;
 * duplicates make empty chunks) or chunk sizes of 1 to 8 items, used in turn until the end.
 */
export type Cuts = { at: number[] } | { sizes: number[] };

export const cuts = (maxCuts = 12): fc.Arbitrary<Cuts> =>
  fc.oneof(
    fc.record({ at: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: maxCuts }) }),
    fc.record({ sizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 4 }) }),
  );

/** Splits `whole` into chunks as `how` says, in order; joined they give `whole` back. */
export function splitAt<T extends Sliceable<T>>(whole: T, how: Cuts): T[] {
  const parts: T[] = [];
  let from = 0;
  if ("at" in how) {
    const points = how.at.map((f) => Math.floor(f * whole.length)).sort((a, b) => a - b);
    for (const cut of points) {
      parts.push(whole.slice(from, cut));
      from = cut;
    }
  } else {
    for (let i = 0; from < whole.length; i++) {
      const size = how.sizes[i % how.sizes.length]!;
      parts.push(whole.slice(from, from + size));
      from += size;
    }
  }
  parts.push(whole.slice(from));
  return parts;
}

/** The same bytes with every LF made CR LF (as a terminal writes line ends). */
export function withCrlf(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of bytes) {
    if (b === 0x0a) out.push(0x0d);
    out.push(b);
  }
  return Uint8Array.from(out);
}
