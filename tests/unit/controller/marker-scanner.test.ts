import { describe, expect, test } from "bun:test";
import { MarkerScanner, type ScanResult } from "../../../src/core/controller/marker-scanner.ts";

const M = { startPrefix: "---START-OF-OUTPUT-", endPrefix: "---END-OF-OUTPUT-", suffix: "---" };
const ID = "0b6c5a3e-1d2f-4c1e-9f00-123456789abc";
const ECHO = `$ printf '%s%s\\n' '---' 'START-OF-OUTPUT-${ID}---'; (\r\n`;
const STREAM = `${ECHO}\x1b[?2004l\r---START-OF-OUTPUT-${ID}---\r\nhello\r\nworld---END-OF-OUTPUT-${ID}-42---\r\n\x1b[?2004h$ `;

/** Feeds `chunks` and returns the last result. */
function feed(chunks: string[]): ScanResult {
  const s = new MarkerScanner(ID, M);
  let last: ScanResult = { kind: "pending", startedNow: false };
  for (const c of chunks) {
    last = s.push(c);
    if (last.kind === "done") return last;
  }
  return last;
}

describe("MarkerScanner", () => {
  test("finds the output between the markers and the exit status", () => {
    const r = feed([STREAM]);
    expect(r).toMatchObject({ kind: "done", exitCode: 42, raw: "hello\r\nworld", rest: "\r\n\x1b[?2004h$ " });
  });

  test("gives the same result however the stream is split in two", () => {
    for (let i = 1; i < STREAM.length; i++) {
      const r = feed([STREAM.slice(0, i), STREAM.slice(i)]);
      expect(r.kind).toBe("done");
      if (r.kind === "done") {
        expect(r.raw).toBe("hello\r\nworld");
        expect(r.exitCode).toBe(42);
      }
    }
  });

  test("gives the same result fed one character at a time", () => {
    const r = feed([...STREAM]);
    expect(r).toMatchObject({ kind: "done", exitCode: 42, raw: "hello\r\nworld" });
  });

  test("reports the start once", () => {
    const s = new MarkerScanner(ID, M);
    expect(s.push(ECHO)).toEqual({ kind: "pending", startedNow: false });
    expect(s.push(`---START-OF-OUTPUT-${ID}---\r\nx`)).toEqual({ kind: "pending", startedNow: true });
    expect(s.push("y")).toEqual({ kind: "pending", startedNow: false });
    expect(s.partial).toBe("xy");
  });

  test("ignores the echoed command line and other tasks' markers", () => {
    const other = "11111111-2222-3333-4444-555555555555";
    const r = feed([
      `---START-OF-OUTPUT-${ID}---\r\n`,
      `---END-OF-OUTPUT-${other}-0---\r\n`,
      `'END-OF-OUTPUT-${ID}' "$?" '---'\r\n`,
      `---END-OF-OUTPUT-${ID}-x---`,
      `done---END-OF-OUTPUT-${ID}-0---`,
    ]);
    expect(r.kind).toBe("done");
    if (r.kind === "done") expect(r.raw).toContain("done");
    if (r.kind === "done") expect(r.exitCode).toBe(0);
  });

  test("waits when the exit status or suffix is cut off", () => {
    const s = new MarkerScanner(ID, M);
    s.push(`---START-OF-OUTPUT-${ID}---\r\nout`);
    expect(s.push(`---END-OF-OUTPUT-${ID}-1`).kind).toBe("pending");
    expect(s.push("2").kind).toBe("pending");
    expect(s.push("7--").kind).toBe("pending");
    expect(s.push("-")).toMatchObject({ kind: "done", exitCode: 127, raw: "out" });
  });

  test("empty output", () => {
    expect(feed([`---START-OF-OUTPUT-${ID}---\r\n---END-OF-OUTPUT-${ID}-0---`])).toMatchObject({
      raw: "",
      exitCode: 0,
    });
  });

  test("a large output is scanned in linear time and kept whole", () => {
    const s = new MarkerScanner(ID, M);
    s.push(`---START-OF-OUTPUT-${ID}---\r\n`);
    const chunk = "x".repeat(1000);
    for (let i = 0; i < 2000; i++) expect(s.push(chunk).kind).toBe("pending");
    const r = s.push(`---END-OF-OUTPUT-${ID}-0---`);
    expect(r.kind === "done" && r.raw.length).toBe(2_000_000);
  });

  test("custom markers from config", () => {
    const s = new MarkerScanner("t", { startPrefix: "<<S:", endPrefix: "<<E:", suffix: ">>" });
    expect(s.push("<<S:t>>\nabc<<E:t-3>>")).toMatchObject({ kind: "done", raw: "abc", exitCode: 3 });
  });
});
