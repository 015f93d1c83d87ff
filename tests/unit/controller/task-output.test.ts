import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MarkerScanner } from "../../../src/core/controller/marker-scanner.ts";
import { TaskOutput } from "../../../src/core/controller/task-output.ts";
import { Masker } from "../../../src/core/domain/mask/masker.ts";
import { cleanOutput } from "../../../src/core/domain/text.ts";
import { utf8ByteLength } from "../../../src/core/domain/utf8.ts";

const dir = mkdtempSync(join(tmpdir(), "orch-task-output-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const masker = new Masker([], []);
const mask = (s: string) => masker.mask(s);
let n = 0;

function output(maxBytes: number, withMask = true): { out: TaskOutput; file: string } {
  const file = join(dir, "outputs", `t${++n}.out`);
  return { out: new TaskOutput({ taskId: `t${n}`, maxBytes, file, mask: withMask ? mask : null }), file };
}

/** Raw pane text: colored lines with CR LF ends, a secret in line 3 and in the last one. */
function paneText(lines: number): string {
  const rows = Array.from({ length: lines }, (_, i) =>
    i === 3 ? "export DB_PASSWORD=s3cr3t!" : `\x1b[32mline ${i}\x1b[0m ${"z".repeat(60)}`,
  );
  rows.push("api_key=topsecretvalue");
  return `${rows.join("\r\n")}\r\n`;
}

/** `text` pushed in pieces of `size`, cutting escapes, CR LF pairs and secrets anywhere. */
function pushAll(out: TaskOutput, text: string, size: number): void {
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
}

describe("TaskOutput", () => {
  test("within the cap: held in memory, cleaned at the end, no file", () => {
    const { out, file } = output(65_536);
    const raw = paneText(100);
    pushAll(out, raw, 37);
    expect(out.finish()).toEqual({ text: cleanOutput(raw), fullBytes: null });
    expect(existsSync(file)).toBe(false);
  });

  test("over the cap: the store's text is capped and marked, the file has all of it cleaned and masked (0600)", () => {
    const { out, file } = output(8192);
    const raw = paneText(2000);
    pushAll(out, raw, 1001);
    const kept = out.finish();
    const whole = masker.mask(cleanOutput(raw));
    expect(readFileSync(file, "utf8")).toBe(whole);
    expect(kept.fullBytes).toBe(statSync(file).size);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(utf8ByteLength(kept.text)).toBeLessThanOrEqual(8192);
    expect(kept.text).toContain("[orch: output cut here: ");
    expect(kept.text.startsWith("line 0 ")).toBe(true);
    expect(kept.text.endsWith("api_key=topsecretvalue\n")).toBe(true); // the store masks it
    expect(whole).not.toContain("s3cr3t");
    expect(whole).toContain("DB_PASSWORD=[MASKED:secret]");
  });

  test("over the cap raw (colors and all) but within it once cleaned: stored whole, no file left", () => {
    const { out, file } = output(4096);
    const raw = `${"\x1b[38;5;196mr\x1b[0m".repeat(300)}\r\n`.repeat(3);
    pushAll(out, raw, 100);
    expect(out.finish()).toEqual({ text: cleanOutput(raw), fullBytes: null });
    expect(existsSync(file)).toBe(false);
  });

  test("in tiny pieces the file is the same: escapes, line ends and secrets split anywhere", () => {
    const { out, file } = output(2048);
    const raw = paneText(300);
    pushAll(out, raw, 3);
    out.finish();
    expect(readFileSync(file, "utf8")).toBe(masker.mask(cleanOutput(raw)));
  });

  test("a worker left unmasked gets its raw (cleaned) output in the file", () => {
    const { out, file } = output(2048, false);
    const raw = paneText(300);
    pushAll(out, raw, 500);
    out.finish();
    expect(readFileSync(file, "utf8")).toBe(cleanOutput(raw));
  });

  test("a file that cannot be written: the capped text says why, no size is claimed", () => {
    writeFileSync(join(dir, "not-a-dir"), "");
    const out = new TaskOutput({
      taskId: "tx",
      maxBytes: 2048,
      file: join(dir, "not-a-dir", "tx.out"),
      mask,
    });
    pushAll(out, paneText(300), 500);
    const kept = out.finish();
    expect(kept.fullBytes).toBeNull();
    expect(kept.text).toContain("the full output could not be written");
    expect(utf8ByteLength(kept.text)).toBeLessThanOrEqual(2048);
  });

  test("discard removes a file already begun", () => {
    const { out, file } = output(1024);
    pushAll(out, paneText(300), 500);
    expect(existsSync(file)).toBe(true);
    out.discard();
    expect(existsSync(file)).toBe(false);
  });
});

describe("MarkerScanner with a sink", () => {
  const M = { startPrefix: "<S-", endPrefix: "<E-", suffix: ">" };

  test("hands the output over as it comes, holding little; sink + raw is the whole output", () => {
    const sink = {
      parts: [] as string[],
      push(s: string) {
        this.parts.push(s);
      },
    };
    const s = new MarkerScanner("t1", M, sink);
    s.push("echo ...\r\n<S-t1>\r\n");
    const body = "x".repeat(1000);
    let r = s.push("");
    for (let i = 0; i < 500; i++) r = s.push(`${body}\n`);
    expect(r.kind).toBe("pending");
    expect(s.partial.length).toBeLessThan(70_000);
    r = s.push("tail<E-t1-");
    r = s.push("3>\r\n$ ");
    expect(r).toMatchObject({ kind: "done", exitCode: 3, rest: "\r\n$ " });
    if (r.kind !== "done") throw new Error("not done");
    expect(sink.parts.join("") + r.raw).toBe(`${`${body}\n`.repeat(500)}tail`);
  });
});
