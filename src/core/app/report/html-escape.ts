const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text made safe for HTML (and SVG inside HTML), in element content and in quoted attribute
 * values alike: `& < > " '` become entities.
 *
 * @example
 * ```ts
 * escapeHtml(`</pre><script>alert("x")</script>`);
 * // "&lt;/pre&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
