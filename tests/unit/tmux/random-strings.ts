/** Seeded random strings that stress tmux quoting: controls, quotes, `$`, `#{}`, `;`, `~`, Unicode. */
import { rng } from "../../helpers/rng.ts";

export { rng };

const TOKENS = [
  "$HOME",
  "$" + "{HOME}",
  "$",
  "#{session_name}",
  "#{",
  "}",
  "#(echo hi)",
  "##",
  "#",
  "~",
  "~root",
  ";",
  "\\;",
  "\\",
  "\\\\",
  '"',
  "'",
  "%if",
  "%1",
  "-t",
  "--",
  "\\u00e9",
  "\\012",
  "{",
  " ",
  "\t",
  "\n",
  "\r\n",
  "\x1b[31m",
  "\x7f",
  "é",
  "中文",
  "😀",
  "👩‍💻",
  "\u0301",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\u202e",
  "\ufffd",
];

/** One non-empty string (no NUL, valid Unicode) built from risky tokens, control and random chars. */
export function randomString(next: () => number, maxParts = 24): string {
  const parts = 1 + Math.floor(next() * maxParts);
  let s = "";
  for (let i = 0; i < parts; i++) {
    const r = next();
    if (r < 0.45) s += TOKENS[Math.floor(next() * TOKENS.length)];
    else if (r < 0.6) s += String.fromCharCode(1 + Math.floor(next() * 31));
    else if (r < 0.9) s += String.fromCharCode(0x20 + Math.floor(next() * 95));
    else s += String.fromCodePoint(0xa0 + Math.floor(next() * 0x2ff00));
  }
  return s.replace(/[\ud800-\udfff]/g, (c, i: number, str: string) => (isPaired(str, i) ? c : "x"));
}

function isPaired(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xdc00) return i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
  return i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) < 0xdc00;
}
