/**
 * The end of a task's output, where the reason it failed usually is: at most `chars`
 * characters, with `…` in front when something was cut. A cut never splits a surrogate pair.
 * Null when there is no output or `chars` is 0.
 *
 * @example
 * ```ts
 * outputExcerpt("building...\nerror: boom\n", 11); // "…rror: boom\n"
 * outputExcerpt("ok\n", 400); // "ok\n"
 * ```
 */
export function outputExcerpt(output: string | null, chars: number): string | null {
  if (output === null || output === "" || chars <= 0) return null;
  if (output.length <= chars) return output;
  let start = output.length - chars;
  const code = output.charCodeAt(start);
  if (code >= 0xdc00 && code <= 0xdfff) start += 1;
  return `…${output.slice(start)}`;
}
