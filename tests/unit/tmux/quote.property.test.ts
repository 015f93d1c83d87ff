/**
 * Property tests for tmux argument quoting (quoteArg, tmuxCommand, formatLiteral): a reference
 * unquoter written from tmux's double-quote rules, and a real tmux (private socket) reading the
 * quoted commands with its own parser through `source-file`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { formatLiteral, quoteArg, shellQuote, tmuxCommand } from "../../../src/core/tmux/quote.ts";
import { TmuxServer } from "./harness.ts";

/** Characters and tokens with a meaning in tmux's (or a shell's) syntax, and awkward Unicode. */
const DANGEROUS = [
  "$HOME",
  "$" + "{HOME}",
  "$x",
  "~root",
  "#{pane_id}",
  "##",
  "#(echo x)",
  "\\012",
  "\\u00e9",
  "%if",
  '"',
  "\\",
  "$",
  "~",
  ";",
  "#",
  "{",
  "}",
  "'",
  "`",
  "%",
  "-",
  " ",
  "\n",
  "\r",
  "\t",
  "\x1b",
  "\x7f",
  "\x80",
  "\x85",
  "\x9b",
  "\x9f",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "0",
  "1",
  "3",
  "7",
  "8",
  "é",
  "中",
  "😀",
  "👩\u200d💻",
  "e\u0301",
];
const dangerous = fc.constantFrom(...DANGEROUS);
const control = fc.integer({ min: 1, max: 0x1f }).map((c) => String.fromCharCode(c));
const c1 = fc.integer({ min: 0x80, max: 0x9f }).map((c) => String.fromCharCode(c));
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const codePoint = fc.string({ unit: "binary", minLength: 1, maxLength: 1 });

const noNul = (s: string): string => s.replaceAll("\0", "");
/** A file's exact text (a leading U+FEFF kept). */
const readText = (path: string): string =>
  new TextDecoder("utf-8", { ignoreBOM: true }).decode(readFileSync(path));

/** Valid Unicode (no lone surrogates), no NUL: what tmux can hold and a file can carry. */
const validString = fc
  .oneof(
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: fc.oneof(dangerous, control, c1) }),
    fc.string({ unit: fc.oneof(dangerous, dangerous, control, c1, codePoint), maxLength: 40 }),
  )
  .map(noNul)
  .filter((s) => s.isWellFormed());

/** Any JS string without NUL, lone surrogates included. */
const anyString = fc
  .oneof(
    validString,
    fc.string({ unit: "binary-ascii" }),
    fc.string({ unit: fc.oneof(dangerous, control, c1, loneSurrogate, codePoint) }),
  )
  .map(noNul);

/**
 * The inverse of quoteArg, strict: follows tmux's rules for a double-quoted token (`\\`, `\"`,
 * `\$`, `\ooo` octal, `\~`; a raw `"` ends the token, `$` expands, a leading `~` expands) and
 * throws on anything tmux would not read back as the same literal text (an unescaped `"` or
 * `$`, a raw control character, an unknown escape, a leading `~`).
 */
function unquote(quoted: string): string {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"'))
    throw new Error(`not a double-quoted token: ${JSON.stringify(quoted)}`);
  const body = quoted.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\") {
      const next = body[i + 1];
      if (next === "\\" || next === '"' || next === "$" || (next === "~" && i === 0)) {
        out += next;
        i++;
        continue;
      }
      const octal = body.slice(i + 1, i + 4);
      if (/^[01][0-7]{2}$/.test(octal)) {
        out += String.fromCharCode(Number.parseInt(octal, 8));
        i += 3;
        continue;
      }
      throw new Error(`unknown escape at ${i} in ${JSON.stringify(quoted)}`);
    }
    if (c === '"' || c === "$") throw new Error(`unescaped ${c} at ${i} in ${JSON.stringify(quoted)}`);
    if (/[\x00-\x1f\x7f]/.test(c))
      throw new Error(`raw control character at ${i} in ${JSON.stringify(quoted)}`);
    if (c === "~" && i === 0) throw new Error(`leading ~ (tmux expands it) in ${JSON.stringify(quoted)}`);
    out += c;
  }
  return out;
}

/** Splits a command line into words the way tmux does for orch's lines: bare name, quoted args. */
function tokenize(line: string): string[] {
  const words: string[] = [];
  const re = /[^\s"]+|"(?:[^"\\]|\\[\s\S])*"/y;
  let i = 0;
  while (i < line.length) {
    if (line[i] === " ") {
      i++;
      continue;
    }
    re.lastIndex = i;
    const m = re.exec(line);
    if (!m) throw new Error(`cannot tokenize at ${i}: ${JSON.stringify(line)}`);
    words.push(m[0].startsWith('"') ? unquote(m[0]) : m[0]);
    i = re.lastIndex;
  }
  return words;
}

/** tmux format expansion as far as a literal needs it: `##` is `#`, any other `#` expands. */
function expandFormat(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "#") {
      out += s[i];
      continue;
    }
    if (s[i + 1] !== "#") throw new Error(`'#' at ${i} would expand in ${JSON.stringify(s)}`);
    out += "#";
    i++;
  }
  return out;
}

describe("quoteArg (property)", () => {
  test('one line in double quotes: no raw control character, no unescaped " $ \\, no leading ~', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const q = quoteArg(s);
        expect(q.length).toBeGreaterThanOrEqual(2);
        expect(q.startsWith('"') && q.endsWith('"')).toBe(true);
        expect(q).not.toMatch(/[\x00-\x1f\x7f]/); // LF and CR included
        const body = q.slice(1, -1);
        // drop the escapes quoteArg may write (left to right, as tmux reads them): nothing
        // special may be left over
        const rest = body.replace(/\\(?:[\\"$~]|[0-3][0-7]{2})/g, "");
        expect(rest).not.toMatch(/["$\\]/);
        expect(body.startsWith("~")).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test("round-trips through a reference unquoter that follows tmux's rules", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(unquote(quoteArg(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  test("text with nothing special is only wrapped in quotes", () => {
    const plain = fc
      .string({ unit: fc.oneof(codePoint, dangerous) })
      .map((s) => s.replace(/[\x00-\x1f\x7f"$\\]/g, "").replace(/^~+/, ""));
    fc.assert(
      fc.property(plain, (s) => {
        expect(quoteArg(s)).toBe(`"${s}"`);
      }),
      { numRuns: 300 },
    );
  });

  test("NUL anywhere is a RangeError, also through tmuxCommand", () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        expect(() => quoteArg(`${a}\0${b}`)).toThrow(RangeError);
        expect(() => tmuxCommand("set-buffer", "--", a, `${b}\0`)).toThrow(RangeError);
      }),
      { numRuns: 300 },
    );
  });
});

describe("tmuxCommand and formatLiteral (property)", () => {
  test("a command line splits back into the name and the exact arguments", () => {
    const name = fc.stringMatching(/^[a-z][a-z-]{0,15}$/);
    fc.assert(
      fc.property(name, fc.array(anyString, { maxLength: 6 }), (cmd, args) => {
        const line = tmuxCommand(cmd, ...args);
        expect(line).not.toMatch(/[\n\r]/);
        expect(tokenize(line)).toEqual([cmd, ...args]);
      }),
      { numRuns: 300 },
    );
  });

  test("formatLiteral: format expansion gives the text back, and no # is left to expand", () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(expandFormat(formatLiteral(s))).toBe(s);
        expect(unquote(quoteArg(formatLiteral(s)))).toBe(formatLiteral(s));
      }),
      { numRuns: 300 },
    );
  });
});

describe("quoteArg and formatLiteral against a real tmux (property)", () => {
  let server: TmuxServer;

  beforeAll(() => {
    server = new TmuxServer("qprop");
  });

  afterAll(() => {
    server?.kill(); // kill-server on its own socket, then removes the temp dir
  });

  // tmux keeps no empty buffer (set-buffer with "" does nothing), so values are non-empty. The
  // bytes are read back with save-buffer: show-buffer vis-escapes non-printables. formatLiteral is
  // checked through run-shell (its command is format-expanded, and tmux leaves the text alone);
  // a window name (new-window -n, rename-window) would not do: tmux stores names vis-escaped
  // (`\` doubled, control characters as `\ooo`).
  const values = fc.array(
    validString.filter((s) => s.length > 0),
    { minLength: 1, maxLength: 8 },
  );

  test("source-file: set-buffer + save-buffer give the exact bytes; run-shell with formatLiteral too", async () => {
    let file = 0;
    await fc.assert(
      fc.asyncProperty(values, async (strings) => {
        // Commands go through tmux's own parser (a config file), not through a shell's.
        const lines: string[] = [];
        const outputs = strings.map((s, i) => {
          const saved = join(server.dir, `saved-${file}-${i}`);
          const printed = join(server.dir, `printed-${file}-${i}`);
          lines.push(tmuxCommand("set-buffer", "-b", `p${i}`, "--", s));
          lines.push(tmuxCommand("save-buffer", "-b", `p${i}`, saved));
          // run-shell expands formats in its command: formatLiteral must keep every # literal
          const sh = `printf '%s' ${shellQuote(s)} > ${shellQuote(printed)}`;
          lines.push(tmuxCommand("run-shell", formatLiteral(sh)));
          return { s, saved, printed };
        });
        const conf = join(server.dir, `cmds-${file++}.conf`);
        writeFileSync(conf, `${lines.join("\n")}\n`);
        server.run("source-file", conf);
        for (const { s, saved, printed } of outputs) {
          expect(existsSync(saved)).toBe(true);
          expect({ s, saved: readText(saved) }).toEqual({ s, saved: s });
          expect({ s, printed: readText(printed) }).toEqual({ s, printed: s });
          rmSync(saved);
          rmSync(printed);
        }
      }),
      { numRuns: 25 },
    );
  });
});
