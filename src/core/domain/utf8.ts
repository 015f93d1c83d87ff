/**
 * The length of `s` in UTF-8 bytes, without encoding it. A lone surrogate counts as the 3
 * bytes of the U+FFFD that replaces it when encoded.
 *
 * @example
 * ```ts
 * utf8ByteLength("abc"); // 3
 * utf8ByteLength("é"); // 2
 * utf8ByteLength("日本"); // 6
 * utf8ByteLength("🙂"); // 4
 * ```
 */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
