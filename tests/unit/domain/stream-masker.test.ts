import { describe, expect, test } from "bun:test";
import { Masker } from "../../../src/core/domain/mask/masker.ts";
import { StreamMasker } from "../../../src/core/domain/mask/stream-masker.ts";
import { rng } from "../../helpers/rng.ts";

const masker = new Masker([], ["hunter2hunter2"]);
const KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";

/** `text` through a StreamMasker in pieces of random sizes. */
function streamed(text: string, seed: number, maxPiece = 40): string {
  const r = rng(seed);
  const m = new StreamMasker((s) => masker.mask(s));
  let out = "";
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(r() * maxPiece);
    out += m.push(text.slice(i, i + n));
    i += n;
  }
  return out + m.flush();
}

describe("StreamMasker", () => {
  test("a secret split between pieces is masked as in the whole text", () => {
    const text = `key ${KEY} here\nexport DB_PASSWORD=s3cr3t!\nplain line\npw hunter2hunter2 end\nno newline at the end ${KEY}`;
    const want = masker.mask(text);
    expect(want).not.toContain("s3cr3t");
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) expect(streamed(text, seed)).toBe(want);
  });

  test("a private key block over many pieces is dropped from BEGIN to END, text around it kept", () => {
    const body = Array.from({ length: 40 }, () => "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC").join("\n");
    const text = `before\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\nafter ${KEY}\n`;
    for (const seed of [1, 2, 3]) {
      const out = streamed(text, seed, 30);
      expect(out).toBe("before\n[MASKED:private-key]\nafter [MASKED:anthropic]\n");
    }
  });

  test("nothing is held back past the end of a line; a very long line goes out in parts", () => {
    const m = new StreamMasker((s) => masker.mask(s));
    expect(m.push("partial")).toBe("");
    expect(m.push(" line\nnext")).toBe("partial line\n");
    expect(m.flush()).toBe("next");
    const long = `${"word ".repeat(20_000)}`;
    const out = m.push(long);
    expect(out.length).toBeGreaterThan(0);
    expect(out + m.flush()).toBe(long);
  });
});
