import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ControlMessage,
  ControlParser,
  decodeOctalEscapes,
  parseNotification,
  type TmuxNotification,
} from "../../../src/core/tmux/control-parser.ts";
import { withCrlf } from "../../helpers/chunks.ts";
import { FIXTURE_DIR, PANE_TEXT } from "./record-fixtures.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURE_DIR, name)));

/** Parses `bytes` fed as the given chunks (cut points), with a fresh parser. */
function parse(bytes: Uint8Array, cuts: number[] = []): ControlMessage[] {
  const parser = new ControlParser();
  const out: ControlMessage[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return out;
}

/** A comparable form of messages (Uint8Array as base64). */
const canon = (msgs: ControlMessage[]): string =>
  JSON.stringify(msgs, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v));

const responses = (msgs: ControlMessage[]) => msgs.flatMap((m) => (m.kind === "response" ? [m] : []));
const events = (msgs: ControlMessage[]) => msgs.flatMap((m) => (m.kind === "notification" ? [m.event] : []));
const outputOf = (msgs: ControlMessage[], pane: string): Uint8Array =>
  Buffer.concat(msgs.flatMap((m) => (m.kind === "output" && m.paneId === pane ? [m.data] : [])));

const FIXTURES = ["pane-output.txt", "errors.txt", "windows.txt", "flow-control.txt", "server-killed.txt"];

describe("ControlParser on recorded transcripts: chunking never changes the result", () => {
  for (const name of FIXTURES) {
    const bytes = fixture(name);
    const whole = canon(parse(bytes));

    test(`${name}: every 2-way split`, () => {
      const bad: number[] = [];
      for (let cut = 0; cut <= bytes.length; cut++) if (canon(parse(bytes, [cut])) !== whole) bad.push(cut);
      expect(bad).toEqual([]);
    });

    test(`${name}: 1-byte chunks`, () => {
      const cuts = Array.from({ length: bytes.length }, (_, i) => i);
      expect(canon(parse(bytes, cuts))).toBe(whole);
    });

    test(`${name}: random chunks, and CRLF line ends`, () => {
      let seed = 7;
      for (let round = 0; round < 50; round++) {
        const cuts: number[] = [];
        for (let at = 0; at < bytes.length; ) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          at += 1 + (seed % 300);
          if (at < bytes.length) cuts.push(at);
        }
        expect(canon(parse(bytes, cuts))).toBe(whole);
      }
      expect(canon(parse(withCrlf(bytes)))).toBe(whole);
    });
  }
});

describe("ControlParser on recorded transcripts: content", () => {
  test("pane-output: pane bytes, UTF-8 split across %output lines, %-lines inside responses", () => {
    const msgs = parse(fixture("pane-output.txt"));
    const out = outputOf(msgs, "%1");
    expect(dec(out)).toBe(`${PANE_TEXT}\n`.replaceAll("\n", "\r\n"));
    const strict = new TextDecoder("utf-8", { fatal: true });
    const pieces = msgs.flatMap((m) => (m.kind === "output" ? [m.data] : []));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.some((p) => !isValidUtf8(strict, p))).toBe(true);
    const [attach, listPanes, display, , capture, , showBuffer] = responses(msgs);
    expect(attach).toEqual({ kind: "response", number: attach!.number, flags: 0, ok: true, lines: [] });
    expect(listPanes?.lines).toEqual(["%0 @0 rec"]);
    expect(display?.lines).toEqual(["é中😀 tab:\there rec"]);
    expect(capture?.lines.length).toBe(10);
    expect(showBuffer?.lines).toEqual(["line1", "line2\\t\\$x \\\\ \\001"]);
    expect(events(msgs)).toEqual([
      { type: "session-changed", sessionId: "$0", name: "rec" },
      { type: "window-add", windowId: "@1" },
      { type: "sessions-changed" },
      { type: "exit", reason: null },
    ]);
  });

  test("errors: %error responses, and response lines that imitate the protocol", () => {
    const msgs = parse(fixture("errors.txt"));
    const rs = responses(msgs).filter((r) => r.flags === 1);
    expect(rs.map((r) => [r.ok, r.lines])).toEqual([
      [false, ["parse error: unknown command: bogus-cmd"]],
      [false, ["can't find window: nosuch"]],
      [false, ["/nonexistent/orch.conf: No such file or directory"]],
      [true, []],
      [true, ["%end 1 2 1"]],
      [true, ["%begin 1 2 1"]],
      [true, ["%output %0 not output"]],
      [true, ["%exit"]],
      [true, []],
      [true, ["one"]],
      [true, ["two"]],
      [true, ["ok"]],
      [true, []],
    ]);
    expect(msgs.some((m) => m.kind === "output")).toBe(false);
    expect(events(msgs).at(-1)).toEqual({ type: "exit", reason: null });
    expect(events(msgs).filter((e) => e.type === "exit").length).toBe(1);
  });

  test("windows: window and session notifications", () => {
    const evs = events(parse(fixture("windows.txt")));
    const layout = (l: string): TmuxNotification => ({
      type: "other",
      name: "layout-change",
      args: `@1 ${l} ${l} *`,
    });
    expect(evs).toEqual([
      { type: "session-changed", sessionId: "$0", name: "rec" },
      { type: "other", name: "session-window-changed", args: "$0 @1" },
      { type: "window-add", windowId: "@1" },
      { type: "window-renamed", windowId: "@1", name: 'ré #1 ; "x"' },
      { type: "other", name: "window-pane-changed", args: "@1 %2" },
      layout("419a,80x24,0,0[80x12,0,0,1,80x11,0,13,2]"),
      layout("09fa,80x24,0,0{39x24,0,0,1,40x24,40,0,2}"),
      layout("09fa,80x24,0,0{39x24,0,0,1,40x24,40,0,2}"),
      { type: "pane-mode-changed", paneId: "%2" },
      { type: "pane-mode-changed", paneId: "%2" },
      { type: "other", name: "session-window-changed", args: "$0 @0" },
      { type: "unlinked-window-close", windowId: "@1" },
      { type: "window-add", windowId: "@2" },
      { type: "unlinked-window-close", windowId: "@2" },
      { type: "other", name: "unlinked-window-add", args: "@3" },
      { type: "sessions-changed" },
      { type: "session-changed", sessionId: "$1", name: "other" },
      { type: "other", name: "session-renamed", args: "$1 autre é" },
      { type: "sessions-changed" },
      { type: "exit", reason: null },
    ]);
  });

  test("flow-control: %extended-output, and %pause/%continue inside refresh-client's own block", () => {
    const msgs = parse(fixture("flow-control.txt"));
    expect(dec(outputOf(msgs, "%1"))).toBe("first\r\nafter continue é");
    // The screen shows what was typed while paused, but no %output ever carried it.
    const screens = responses(msgs).filter((r) => r.lines.some((l) => l.includes("typed while paused")));
    expect(screens.length).toBeGreaterThan(0);
    const fromResponses = responses(msgs)
      .flatMap((r) => r.lines.map(parseNotification))
      .filter((e) => e.type !== "other");
    expect(fromResponses).toEqual([
      { type: "pause", paneId: "%1" },
      { type: "continue", paneId: "%1" },
    ]);
  });

  test("server-killed: %exit with a reason", () => {
    expect(events(parse(fixture("server-killed.txt"))).at(-1)).toEqual({
      type: "exit",
      reason: "server exited unexpectedly",
    });
  });
});

function isValidUtf8(strict: TextDecoder, bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe("ControlParser edge cases", () => {
  test("%output keeps raw bytes that are not UTF-8, and empty data", () => {
    const line = Uint8Array.of(...enc("%output %7 "), 0xff, 0xfe, 0xe4, 0xb8, 0x0a);
    expect(parse(line)).toEqual([
      { kind: "output", paneId: "%7", data: Uint8Array.of(0xff, 0xfe, 0xe4, 0xb8) },
    ]);
    expect(parse(enc("%output %7 \n%output %8\n"))).toEqual([
      { kind: "output", paneId: "%7", data: new Uint8Array() },
      { kind: "output", paneId: "%8", data: new Uint8Array() },
    ]);
  });

  test("%extended-output: data after the first ' : ', unknown fields before it ignored", () => {
    expect(parse(enc("%extended-output %3 12 : a : b\\012\n%extended-output %4 0 future x : c\n"))).toEqual([
      { kind: "output", paneId: "%3", data: enc("a : b\n") },
      { kind: "output", paneId: "%4", data: enc("c") },
    ]);
  });

  test("a response ends only at %end/%error with its own three numbers", () => {
    const text = "%begin 10 5 1\n%end 10 5 0\n%error 10 6 1\n%end 11 5 1\n  \n%error 10 5 1\r\n";
    expect(parse(enc(text))).toEqual([
      {
        kind: "response",
        number: 5,
        flags: 1,
        ok: false,
        lines: ["%end 10 5 0", "%error 10 6 1", "%end 11 5 1", "  "],
      },
    ]);
  });

  test("CR is dropped only at a line end", () => {
    expect(parse(enc("%begin 1 2 1\r\na\rb\r\n\r\n%end 1 2 1\r\n"))).toEqual([
      { kind: "response", number: 2, flags: 1, ok: true, lines: ["a\rb", ""] },
    ]);
  });

  test("a leading U+FEFF (BOM) is text, not dropped", () => {
    expect(parse(enc("%begin 1 2 1\n\ufeffx\n%end 1 2 1\n%window-renamed @1 \ufeffn\n"))).toEqual([
      { kind: "response", number: 2, flags: 1, ok: true, lines: ["\ufeffx"] },
      { kind: "notification", event: { type: "window-renamed", windowId: "@1", name: "\ufeffn" } },
    ]);
  });

  test("notifications: known ones typed, others kept by name, stray lines as name ''", () => {
    const lines = [
      "%window-close @4",
      "%window-renamed @1 ",
      "%continue %2",
      "%exit too far behind",
      "%window-add",
      "%subscription-changed s $0 @0 0 %0 : value",
      "not a protocol line",
    ];
    expect(events(parse(enc(`${lines.join("\n")}\n`)))).toEqual([
      { type: "window-close", windowId: "@4" },
      { type: "window-renamed", windowId: "@1", name: "" },
      { type: "continue", paneId: "%2" },
      { type: "exit", reason: "too far behind" },
      { type: "other", name: "window-add", args: "" },
      { type: "subscription-changed", name: "s", paneId: "%0", value: "value" },
      { type: "other", name: "", args: "not a protocol line" },
    ]);
  });

  test("a partial line survives the caller reusing its chunk buffer", () => {
    const parser = new ControlParser();
    const chunk = enc("%output %1 abc");
    expect(parser.push(chunk)).toEqual([]);
    chunk.fill(0x78);
    expect(parser.push(enc("def\n"))).toEqual([{ kind: "output", paneId: "%1", data: enc("abcdef") }]);
  });

  test("a 1 MB %output line in 4 KB chunks", () => {
    const body = "\\033[1mé中😀\\015\\012".repeat(40_000);
    const bytes = enc(`%output %12 ${body}\n`);
    const cuts = Array.from({ length: Math.floor(bytes.length / 4096) }, (_, i) => (i + 1) * 4096);
    const [msg, ...rest] = parse(bytes, cuts);
    expect(rest).toEqual([]);
    expect(msg?.kind === "output" && dec(msg.data)).toBe("\x1b[1mé中😀\r\n".repeat(40_000));
  });
});

describe("decodeOctalEscapes", () => {
  test("undoes tmux's escaping of every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const bytes: number[] = [];
    for (const b of all) {
      if (b < 0x20 || b === 0x5c) bytes.push(...enc(`\\${b.toString(8).padStart(3, "0")}`));
      else bytes.push(b);
    }
    expect(decodeOctalEscapes(Uint8Array.from(bytes))).toEqual(all);
  });

  test("returns the input itself when there is nothing to decode", () => {
    const plain = enc("no escapes here");
    expect(decodeOctalEscapes(plain)).toBe(plain);
  });

  test("keeps a backslash that does not start a 3-digit octal escape", () => {
    for (const s of ["\\", "a\\", "\\0", "\\01", "\\9ab", "\\400", "\\08x"]) {
      expect(dec(decodeOctalEscapes(enc(s)))).toBe(s);
    }
    expect(dec(decodeOctalEscapes(enc("\\\\134\\0121")))).toBe("\\\\\n1");
  });
});

describe("format subscriptions", () => {
  test("%subscription-changed (as tmux 3.3a wrote it for a killed pane) names the pane and the value", () => {
    // recorded: refresh-client -B 'orchdead:%*:#{pane_dead}:#{pane_dead_status}', then kill -9
    expect(parseNotification("%subscription-changed orchdead $0 @1 1 %1 : 1:")).toEqual({
      type: "subscription-changed",
      name: "orchdead",
      paneId: "%1",
      value: "1:",
    });
    expect(parseNotification("%subscription-changed orch-dead $0 @3 2 %7 : 1:137")).toMatchObject({
      paneId: "%7",
      value: "1:137",
    });
    // a session-level subscription has no pane; a value may itself hold " : "
    expect(parseNotification("%subscription-changed s $0 - - - : a : b")).toEqual({
      type: "subscription-changed",
      name: "s",
      paneId: null,
      value: "a : b",
    });
  });
});
