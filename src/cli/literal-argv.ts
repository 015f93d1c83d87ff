/**
 * Words reach orch as typed. cac's parser (mri) turns a word that looks like a number into a
 * number: `--name 007` would name a worker "7", `send w --json 1e3` would send "1000",
 * `--name ""` would name one "0", and `send w --wait false` would send nothing and not wait. A NUL can never be part of an argument, so a numeric-looking
 * word is marked with a leading NUL before parsing (which keeps it a string) and unmarked after.
 */

const MARK = "\0";

/**
 * True where mri would not keep the word: `+word` is a finite number ("", " ", "007", "1e3",
 * "0x1f"), or "true"/"false", which it takes as the value of a boolean flag before them.
 */
function coercible(word: string): boolean {
  const n = +word;
  return n * 0 === 0 || word === "true" || word === "false";
}

/**
 * argv with every numeric-looking value marked, so that the parser keeps it a string. Flags
 * (words starting with "-") are left alone but for a value after "=" (`--name=007`), and but
 * for a negative number right after a flag in `takesValue` (`--timeout -1`: the parser would
 * read `-1` as a flag of its own; marked, it is the flag's value, which validation then
 * judges); words after `--` are left alone (the parser keeps them as they are).
 *
 * @example
 * ```ts
 * markLiteral(["send", "w", "--json", "007"]); // ["send", "w", "--json", "\u0000007"]
 * markLiteral(["send", "w", "--timeout", "-1"], new Set(["--timeout"])); // [..., "--timeout", "\u0000-1"]
 * ```
 */
export function markLiteral(argv: readonly string[], takesValue: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  for (const [i, word] of argv.entries()) {
    if (word === "--") return [...out, ...argv.slice(i)];
    const afterValueFlag = i > 0 && takesValue.has(argv[i - 1]!);
    if (!word.startsWith("-") || (afterValueFlag && /^-[\d.]/.test(word) && coercible(word))) {
      out.push(coercible(word) ? MARK + word : word);
      continue;
    }
    const eq = word.indexOf("=");
    const value = eq < 0 ? "" : word.slice(eq + 1);
    out.push(eq > 0 && coercible(value) ? `${word.slice(0, eq + 1)}${MARK}${value}` : word);
  }
  return out;
}

/**
 * `v` with the marks of markLiteral taken off every string in it (arrays and plain objects are
 * walked, in place).
 *
 * @example
 * ```ts
 * unmarkLiteral({ name: "\u0000007", _: ["\u00001e3"] }); // { name: "007", _: ["1e3"] }
 * ```
 */
export function unmarkLiteral<T>(v: T): T {
  if (typeof v === "string") return (v.startsWith(MARK) ? v.slice(1) : v) as T;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = unmarkLiteral(v[i]);
    return v;
  }
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = unmarkLiteral(o[k]);
  }
  return v;
}

/** A message of the parser's with the marks taken off (it may quote a marked word). */
export function unmarkMessage(message: string): string {
  return message.replaceAll(MARK, "");
}
