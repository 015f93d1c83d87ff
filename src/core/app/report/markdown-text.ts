/** Escaping and building blocks for GitHub-flavoured Markdown. */

/** A backslash that Markdown would read as an escape: before punctuation or a line break. */
const ESCAPING_BACKSLASH = /\\(?=[!-/:-@[-`{-~\r\n])/g;

/**
 * Text for one line of Markdown: `&` and `<` become entities (so text like `<script>` stays
 * text), a backslash that would escape the next character is doubled, line breaks become spaces.
 *
 * @example
 * ```ts
 * mdText("a <b>\nc"); // "a &lt;b> c"
 * ```
 */
export function mdText(text: string): string {
  return text
    .replace(ESCAPING_BACKSLASH, "\\\\")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replace(/\r\n|\r|\n/g, " ");
}

/**
 * Text for a table cell: as {@link mdText}, but `|` is escaped and line breaks become `<br>`.
 * Null and the empty string become `—`.
 *
 * @example
 * ```ts
 * mdCell("a|b\nc"); // "a\\|b<br>c"
 * mdCell(null); // "—"
 * ```
 */
export function mdCell(text: string | number | null): string {
  if (text === null || text === "") return "—";
  return String(text)
    .replace(ESCAPING_BACKSLASH, "\\\\")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll("|", "\\|")
    .replace(/\r\n|\r|\n/g, "<br>");
}

/**
 * A Markdown table; the cells are escaped with {@link mdCell}.
 *
 * @example
 * ```ts
 * mdTable(["Step", "Status"], [["build", "succeeded"]]);
 * // "| Step | Status |\n| --- | --- |\n| build | succeeded |"
 * ```
 */
export function mdTable(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const line = (cells: readonly (string | number | null)[]) => `| ${cells.map(mdCell).join(" | ")} |`;
  return [line(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(line)].join("\n");
}

/**
 * A fenced code block holding `text` verbatim: the fence is one backtick longer than the
 * longest run of backticks in the text (and at least three), so nothing in it can close it.
 *
 * @example
 * ```ts
 * fencedBlock("a ``` b"); // "````text\na ``` b\n````"
 * ```
 */
export function fencedBlock(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  const body = text.endsWith("\n") ? text : `${text}\n`;
  return `${fence}text\n${body}${fence}`;
}
