/** Making untrusted text (names, labels, errors) fit on one terminal line. */
import { stripAnsi } from "../../core/domain/text.ts";

/** Longest stretch of a value looked at; nothing longer fits on a terminal line anyway. */
const MAX_SCAN = 4096;

/**
 * Text made safe for one line: escape sequences removed, control characters and runs of
 * white space turned into one space, lone surrogates replaced by U+FFFD, ends trimmed. Only
 * the first 4,096 UTF-16 units are looked at, so a huge error message costs nothing.
 *
 * @example
 * ```ts
 * oneLine("\x1b[31mexit 1\x1b[0m\n  at main\t(x.ts)"); // "exit 1 at main (x.ts)"
 * ```
 */
export function oneLine(s: string): string {
  const head = s.length > MAX_SCAN ? s.slice(0, MAX_SCAN) : s;
  return stripAnsi(head)
    .replace(/[\x00-\x1f\x7f-\x9f\s]+/g, " ")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .trim();
}

/**
 * The columns a code point takes on a terminal: 0 for combining marks and zero-width
 * characters, 2 for East Asian wide characters and most emoji, 1 otherwise. An approximation
 * of wcwidth over the common ranges, enough to keep lines from wrapping.
 *
 * @example
 * ```ts
 * codePointWidth(0x65); // 1 ("e")
 * codePointWidth(0x65e5); // 2 ("日")
 * codePointWidth(0x301); // 0 (combining acute accent)
 * ```
 */
export function codePointWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x300) return 1;
  if (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  ) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x1fa70 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * The columns `s` takes on a terminal (see {@link codePointWidth}); `s` holds no escapes.
 *
 * @example
 * ```ts
 * visibleWidth("ab日本"); // 6
 * ```
 */
export function visibleWidth(s: string): number {
  let width = 0;
  for (const ch of s) width += codePointWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/**
 * `s` cut to at most `max` columns, on a code point boundary (never inside a surrogate pair
 * or a wide character); a cut line ends in "…". `s` holds no escapes (see {@link oneLine}).
 *
 * @example
 * ```ts
 * cutToWidth("hello world", 8); // "hello w…"
 * cutToWidth("日本語", 4); // "日…"
 * cutToWidth("short", 80); // "short"
 * ```
 */
export function cutToWidth(s: string, max: number): string {
  if (max <= 0) return "";
  let width = 0;
  let fitsWithEllipsis = 0; // end index of the longest prefix of width <= max - 1
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i) ?? 0;
    width += codePointWidth(cp);
    if (width > max) return `${s.slice(0, fitsWithEllipsis)}…`;
    i += cp > 0xffff ? 2 : 1;
    if (width <= max - 1) fitsWithEllipsis = i;
  }
  return s;
}
