import { describe, expect, test } from "bun:test";
import { cleanOutput, normalizeNewlines, printable, stripAnsi } from "../../../src/core/domain/text.ts";
import { rng } from "../../helpers/rng.ts";

const ESC = "\x1b";

/** Random text without ESC: controls, ASCII, Latin-1, C1, CJK, combining marks, emoji, ZWJ. */
function randomText(random: () => number, maxLength: number): string {
  const pools: [number, number][] = [
    [0x00, 0x1a],
    [0x1c, 0x7f],
    [0x20, 0x7e],
    [0x20, 0x7e],
    [0x80, 0xff],
    [0x0300, 0x036f],
    [0x4e00, 0x9fff],
    [0x1f300, 0x1faff],
    [0x200d, 0x200d],
    [0xfff0, 0xffff],
  ];
  let s = "";
  const length = Math.floor(random() * maxLength);
  for (let i = 0; i < length; i++) {
    const [lo, hi] = pools[Math.floor(random() * pools.length)]!;
    s += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
  }
  return s;
}

describe("stripAnsi on recorded-style screens", () => {
  test("bash with readline: bracketed paste, title, colored prompt", () => {
    const raw =
      `${ESC}[?2004h${ESC}]0;me@box: ~/proj${ESC}\\${ESC}[01;32mme@box${ESC}[00m:${ESC}[01;34m~/proj${ESC}[00m$ ` +
      `echo hi\r\n${ESC}[?2004l\rhi\r\n`;
    expect(stripAnsi(raw)).toBe("me@box:~/proj$ echo hi\r\n\rhi\r\n");
    expect(cleanOutput(raw)).toBe("me@box:~/proj$ echo hi\n\rhi\n");
  });

  test("ls --color, 256 colors and truecolor", () => {
    expect(stripAnsi(`${ESC}[0m${ESC}[01;34msrc${ESC}[0m  ${ESC}[01;32mrun.sh${ESC}[0m\r\n`)).toBe(
      "src  run.sh\r\n",
    );
    expect(stripAnsi(`${ESC}[38;5;208morange${ESC}[39m ${ESC}[38;2;255;0;0mred${ESC}[m`)).toBe("orange red");
    expect(stripAnsi(`${ESC}[4:3mcurly${ESC}[4:0m`)).toBe("curly");
  });

  test("OSC with BEL or ST, hyperlinks, cwd reports", () => {
    expect(stripAnsi(`${ESC}]0;vim${String.fromCharCode(7)}text`)).toBe("text");
    expect(stripAnsi(`${ESC}]7;file://box/home/me${ESC}\\$ `)).toBe("$ ");
    expect(stripAnsi(`see ${ESC}]8;;https://example.com/a?b=c${ESC}\\the docs${ESC}]8;;${ESC}\\.`)).toBe(
      "see the docs.",
    );
    expect(stripAnsi(`${ESC}]133;A${String.fromCharCode(7)}$ ${ESC}]133;B${String.fromCharCode(7)}`)).toBe(
      "$ ",
    );
  });

  test("cursor movement, line clearing, cursor shape, scroll regions", () => {
    expect(stripAnsi(`${ESC}[2K${ESC}[1G50%${ESC}[2K${ESC}[1G100%`)).toBe("50%100%");
    expect(stripAnsi(`${ESC}[?25l${ESC}[1;24r${ESC}[H${ESC}[2Jtop${ESC}[?25h`)).toBe("top");
    expect(stripAnsi(`${ESC}[0 q${ESC}[2 qbar`)).toBe("bar");
    expect(stripAnsi(`${ESC}[>4;2m${ESC}[<u${ESC}[=1;1ukeys`)).toBe("keys");
  });

  test("DCS, APC, PM and SOS strings", () => {
    expect(stripAnsi(`a${ESC}P+q544e${ESC}\\b`)).toBe("ab");
    expect(stripAnsi(`a${ESC}_Gf=100,a=T;iVBORw0KGgo=${ESC}\\b`)).toBe("ab");
    expect(stripAnsi(`a${ESC}^private${ESC}\\b${ESC}Xsos${ESC}\\c`)).toBe("abc");
  });

  test("two-character sequences and charset selects", () => {
    expect(stripAnsi(`${ESC}(B${ESC}[m${ESC}=${ESC}>${ESC}7saved${ESC}8${ESC}M${ESC}c${ESC})0${ESC}#8`)).toBe(
      "saved",
    );
    expect(stripAnsi(`${ESC}%Gutf8`)).toBe("utf8");
  });

  test("zsh's partial-line marker and tmux-ish sequences", () => {
    expect(stripAnsi(`${ESC}[1m${ESC}[7m%${ESC}[27m${ESC}[1m${ESC}[0m                    \r \r`)).toBe(
      "%                    \r \r",
    );
  });

  test("stray, unfinished and interrupted sequences", () => {
    expect(stripAnsi(`abc${ESC}`)).toBe("abc");
    expect(stripAnsi(`a${ESC}\nb`)).toBe("a\nb");
    expect(stripAnsi(`a${ESC}${ESC}[1mb`)).toBe("ab");
    expect(stripAnsi(`a${ESC}xb`)).toBe("ab");
    expect(stripAnsi(`a${ESC}\\b`)).toBe("ab");
    expect(stripAnsi(`abc${ESC}[3`)).toBe("abc");
    expect(stripAnsi(`abc${ESC}[`)).toBe("abc");
    expect(stripAnsi(`a${ESC}]0;unterminated title`)).toBe("a");
    expect(stripAnsi(`${ESC}]0;t${ESC}[31mred${ESC}[0m`)).toBe("red");
    expect(stripAnsi(`${ESC}Pno end`)).toBe("");
    expect(stripAnsi(`${ESC}[é`)).toBe("é");
    expect(stripAnsi(`${ESC}日本`)).toBe("日本");
  });

  test("keeps tabs, newlines, CR, other controls and Unicode", () => {
    const text = "a\tb\nc\r\nd\re\x07f\x08g 日本語 🙂 café e\u0301 👩\u200d💻 \u009b";
    expect(stripAnsi(text)).toBe(text);
    expect(stripAnsi(`${ESC}[1m${text}${ESC}[0m`)).toBe(text);
  });

  test("randomized: text without ESC passes through unchanged (same string)", () => {
    const random = rng(20240601);
    for (let i = 0; i < 2000; i++) {
      const text = randomText(random, 120);
      expect(stripAnsi(text)).toBe(text);
    }
  });

  test("randomized: complete sequences between text pieces leave exactly the text", () => {
    const sequences = [
      `${ESC}[0m`,
      `${ESC}[01;32m`,
      `${ESC}[?2004h`,
      `${ESC}[38;2;1;2;3m`,
      `${ESC}[2 q`,
      `${ESC}]0;title\x07`,
      `${ESC}]8;;http://x${ESC}\\`,
      `${ESC}P1$r${ESC}\\`,
      `${ESC}(B`,
      `${ESC}=`,
      `${ESC}7`,
    ];
    const random = rng(7);
    for (let i = 0; i < 1000; i++) {
      let raw = "";
      let expected = "";
      const pieces = 1 + Math.floor(random() * 8);
      for (let p = 0; p < pieces; p++) {
        const text = randomText(random, 20);
        raw += sequences[Math.floor(random() * sequences.length)]! + text;
        expected += text;
      }
      expect(stripAnsi(raw)).toBe(expected);
      expect(stripAnsi(stripAnsi(raw))).toBe(expected);
    }
  });
});

describe("normalizeNewlines", () => {
  test.each([
    ["a\r\nb", "a\nb"],
    ["a\r\r\nb", "a\nb"],
    ["a\r\r\r\n\r\nb", "a\n\nb"],
    ["50%\r100%\n", "50%\r100%\n"],
    ["a\rb\r", "a\rb\r"],
    ["\n\n", "\n\n"],
    ["\n\r", "\n\r"],
    ["", ""],
  ])("%p -> %p", (input, output) => {
    expect(normalizeNewlines(input)).toBe(output);
  });
});

describe("cleanOutput", () => {
  test("strips, then normalizes: an escape between \\r and \\n does not hide the line end", () => {
    expect(cleanOutput(`${ESC}[31merror${ESC}[0m\r\n`)).toBe("error\n");
    expect(cleanOutput(`line\r${ESC}[K\nnext`)).toBe("line\nnext");
  });
});

describe("1 MB inputs complete (linear time; no timing assertion)", () => {
  const MB = 1 << 20;

  test("a colored build log", () => {
    const line = `${ESC}[32m✓${ESC}[0m test ${ESC}[1mnumber${ESC}[22m passed ${ESC}]0;t\x07(3 ms)\r\n`;
    const raw = line.repeat(Math.ceil(MB / line.length));
    const clean = cleanOutput(raw);
    expect(clean).toBe("✓ test number passed (3 ms)\n".repeat(Math.ceil(MB / line.length)));
  });

  test("plain text is returned as is", () => {
    const raw = "x".repeat(MB);
    expect(stripAnsi(raw)).toBe(raw);
    expect(cleanOutput(raw)).toBe(raw);
  });

  test.each([
    ["a run of CR", "\r".repeat(MB)],
    ["CR CR LF lines", "\r\r\n".repeat(MB / 4)],
    ["ESC [", `${ESC}[`.repeat(MB / 2)],
    ["ESC ]", `${ESC}]`.repeat(MB / 2)],
    ["ESC alone", ESC.repeat(MB)],
    ["one long CSI", `${ESC}[${"1;".repeat(MB / 2)}`],
    ["one long OSC", `${ESC}]${"x".repeat(MB)}`],
    ["one long DCS", `${ESC}P${"x".repeat(MB)}`],
  ])("pathological: %s", (_, raw) => {
    const clean = cleanOutput(raw);
    expect(clean.includes(ESC)).toBe(false);
  });
});

test("printable escapes terminal controls and keeps TAB, LF and unicode", () => {
  expect(printable("a\x1b]52;c;aGk=\x07\tb\n日本\x9b")).toBe("a\\u001b]52;c;aGk=\\u0007\tb\n日本\\u009b");
});
