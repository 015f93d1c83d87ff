/**
 * Arguments that are not UTF-8. The runtime decodes argv with U+FFFD for each bad byte, so
 * `orch send w $'\xff'` would type U+FFFD: neither the text given nor a refusal. Where a word
 * holds U+FFFD, the raw bytes (Linux: /proc/self/cmdline) say whether it was typed or made up.
 */
import { readFileSync } from "node:fs";

/** The words of a raw command line (NUL-separated, as in /proc/PID/cmdline, maybe NUL-ended). */
export function cmdlineWords(cmdline: Uint8Array): Uint8Array[] {
  const words: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < cmdline.length; i++) {
    if (cmdline[i] !== 0) continue;
    words.push(cmdline.subarray(start, i));
    start = i + 1;
  }
  if (start < cmdline.length) words.push(cmdline.subarray(start));
  return words;
}

/**
 * Why one of `args` (raw bytes) is not UTF-8, naming it (1-based) and its first bad byte; null
 * when all are.
 *
 * @example
 * ```ts
 * argvUtf8Error([Buffer.from("send"), Buffer.from("w"), Buffer.from("a\xffb", "latin1")]);
 * // "argument 3 is not valid UTF-8 (byte 0xFF at offset 1): orch reads text as UTF-8"
 * ```
 */
export function argvUtf8Error(args: readonly Uint8Array[]): string | null {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (const [i, word] of args.entries()) {
    try {
      decoder.decode(word);
    } catch {
      const at = firstBadByte(word);
      const byte = word[at]!.toString(16).toUpperCase().padStart(2, "0");
      return `argument ${i + 1} is not valid UTF-8 (byte 0x${byte} at offset ${at}): orch reads text as UTF-8`;
    }
  }
  return null;
}

/** Offset of the first byte that does not start (or continue) a well-formed UTF-8 sequence. */
function firstBadByte(word: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let ok = 0;
  for (let end = 1; end <= word.length; end++) {
    try {
      decoder.decode(word.subarray(ok, end));
      ok = end;
    } catch {
      // a sequence may still be incomplete: give it up to 4 bytes
      if (end - ok >= 4) return ok;
    }
  }
  return ok;
}

/**
 * The same check on this process's own argv, read only when a word shows U+FFFD (where the
 * bytes are not at hand, e.g. off Linux, nothing is refused).
 */
export function ownArgvUtf8Error(argv: readonly string[]): string | null {
  if (!argv.some((w) => w.includes("\ufffd"))) return null;
  let raw: Uint8Array;
  try {
    raw = readFileSync("/proc/self/cmdline");
  } catch {
    return null;
  }
  // the user's words are the last ones (before them: the runtime, maybe a script)
  const words = cmdlineWords(raw);
  if (words.length < argv.length) return null;
  return argvUtf8Error(words.slice(words.length - argv.length));
}
