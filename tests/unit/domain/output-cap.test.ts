import { describe, expect, test } from "bun:test";
import { capText, cutNote, HeadTail, utf8Head, utf8Tail } from "../../../src/core/domain/output-cap.ts";
import { utf8ByteLength } from "../../../src/core/domain/utf8.ts";
import { rng } from "../../helpers/rng.ts";

const note = (cut: number, total: number) => cutNote(cut, total, "t1");

/** `text` pushed in pieces of random sizes. */
function streamed(text: string, max: number, seed: number): { text: string; cut: boolean } {
  const r = rng(seed);
  const ht = new HeadTail(max);
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(r() * 3000);
    ht.push(text.slice(i, i + n));
    i += n;
  }
  return ht.text(note);
}

describe("utf8Head / utf8Tail", () => {
  test("cut at a byte budget without splitting a character", () => {
    expect(utf8Head("abcdef", 4)).toBe("abcd");
    expect(utf8Head("ééé", 5)).toBe("éé");
    expect(utf8Head("a🙂b", 4)).toBe("a");
    expect(utf8Tail("abcdef", 4)).toBe("cdef");
    expect(utf8Tail("日本語", 7)).toBe("本語");
    expect(utf8Tail("a🙂", 3)).toBe("");
    expect(utf8Head("short", 100)).toBe("short");
  });
});

describe("HeadTail and capText", () => {
  test("text within the cap is kept whole, uncut", () => {
    const text = "line\n".repeat(200);
    expect(capText(text, 1024, note)).toEqual({ text, cut: false });
    expect(streamed(text, 1024, 1)).toEqual({ text, cut: false });
  });

  test("text over the cap: head and tail kept, at most the cap, the cut marked with what was cut", () => {
    const lines = Array.from(
      { length: 30_000 },
      (_, i) => `line ${String(i).padStart(5, "0")} ${"x".repeat(80)}\n`,
    );
    const text = lines.join("");
    const r = capText(text, 65_536, note);
    expect(r.cut).toBe(true);
    expect(utf8ByteLength(r.text)).toBeLessThanOrEqual(65_536);
    expect(r.text.startsWith(lines[0]!)).toBe(true);
    expect(r.text.endsWith(lines.at(-1)!)).toBe(true);
    const m =
      /\n\[orch: output cut here: (\d+) of (\d+) bytes not stored; `orch task t1 --full` prints all of it\]\n/.exec(
        r.text,
      );
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(utf8ByteLength(text));
    // the cut falls on line ends: the head ends with a whole line, the tail starts with one
    const [head, tail] = r.text.split(m![0]);
    expect(head!.endsWith("\n")).toBe(true);
    expect(tail!.startsWith("line ")).toBe(true);
    expect(Number(m![1])).toBe(utf8ByteLength(text) - utf8ByteLength(head!) - utf8ByteLength(tail!));
    expect(text.startsWith(head!) && text.endsWith(tail!)).toBe(true);
  });

  test("streamed in any pieces, the result is the same as for the whole text", () => {
    const text = Array.from({ length: 5000 }, (_, i) => `${i} ünïcödé 日本 🙂 ${"y".repeat(i % 50)}\n`).join(
      "",
    );
    const whole = capText(text, 8192, note);
    for (const seed of [1, 2, 3, 4, 5]) expect(streamed(text, 8192, seed)).toEqual(whole);
  });

  test("one piece far larger than the cap is cut without holding it whole in the tail", () => {
    const ht = new HeadTail(4096);
    ht.push("a".repeat(3000));
    ht.push("b".repeat(5_000_000));
    ht.push("c".repeat(10));
    const r = ht.text(note);
    expect(r.cut).toBe(true);
    expect(ht.totalBytes).toBe(5_003_010);
    expect(utf8ByteLength(r.text)).toBeLessThanOrEqual(4096);
    expect(r.text.startsWith("a".repeat(1948))).toBe(true);
    expect(r.text.endsWith(`${"b".repeat(1000)}cccccccccc`)).toBe(true);
  });

  test("never splits a character, whatever the budget", () => {
    const text = "🙂é日".repeat(10_000);
    for (const max of [1024, 1025, 1026, 1027, 4099]) {
      const r = capText(text, max, note);
      expect(r.text).not.toContain("\ufffd");
      expect(Buffer.from(r.text, "utf8").toString("utf8")).toBe(r.text);
      expect(utf8ByteLength(r.text)).toBeLessThanOrEqual(max);
    }
  });
});
