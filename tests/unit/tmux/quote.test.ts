import { describe, expect, test } from "bun:test";
import { formatLiteral, quoteArg, shellQuote, tmuxCommand } from "../../../src/core/tmux/quote.ts";
import { randomString, rng } from "./random-strings.ts";

describe("quoteArg", () => {
  test('always double-quotes; escapes only \\ " $', () => {
    expect(quoteArg("")).toBe('""');
    expect(quoteArg("plain")).toBe('"plain"');
    expect(quoteArg('a\\b"c$d')).toBe('"a\\\\b\\"c\\$d"');
    expect(quoteArg("; # ' {} %1 -t é中😀 ~x a~")).toBe('"; # \' {} %1 -t é中😀 ~x a~"');
  });

  test("control characters and DEL become \\ooo, LF and CR included", () => {
    expect(quoteArg("a\nb\rc\td\x1be\x7ff\x01")).toBe('"a\\012b\\015c\\011d\\033e\\177f\\001"');
  });

  test("a leading ~ is escaped (tmux would expand it to a home directory)", () => {
    expect(quoteArg("~")).toBe('"\\~"');
    expect(quoteArg("~root/x")).toBe('"\\~root/x"');
    expect(quoteArg("~$")).toBe('"\\~\\$"');
  });

  test("NUL is refused with the value in the message", () => {
    expect(() => quoteArg("a\0b")).toThrow(RangeError);
    expect(() => quoteArg("a\0b")).toThrow(/NUL.*"a\\u0000b"/);
  });

  test("the result is one line that starts and ends with a quote", () => {
    const next = rng(42);
    for (let i = 0; i < 2000; i++) {
      const q = quoteArg(randomString(next));
      expect(/^"[^\n\r]*"$/.test(q)).toBe(true);
    }
  });
});

describe("formatLiteral, tmuxCommand, shellQuote", () => {
  test("formatLiteral doubles every #", () => {
    expect(formatLiteral("#{pane_id} ## #(x) #")).toBe("##{pane_id} #### ##(x) ##");
    expect(formatLiteral("none")).toBe("none");
  });

  test("tmuxCommand: name as is, each argument quoted", () => {
    expect(tmuxCommand("send-keys", "-t", "%1", "-l", "--", "echo hi; ls")).toBe(
      'send-keys "-t" "%1" "-l" "--" "echo hi; ls"',
    );
    expect(tmuxCommand("kill-server")).toBe("kill-server");
  });

  test("shellQuote: single quotes, ' as '\\''", () => {
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("it's $HOME")).toBe("'it'\\''s $HOME'");
  });

  test("shellQuote round-trips through /bin/sh", () => {
    const next = rng(7);
    const values = Array.from({ length: 300 }, () => randomString(next));
    const script = `printf '%s\\0' ${values.map(shellQuote).join(" ")}`;
    const r = Bun.spawnSync(["/bin/sh", "-c", script]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().split("\0").slice(0, -1)).toEqual(values);
  });
});
