/**
 * A hook event's payload as an agent hands it over (on stdin or as an argument): its JSON when
 * it is JSON, else the text; null when there is none.
 *
 * @example
 * ```ts
 * parseHookPayload('{"session_id":"s1"}\n'); // { session_id: "s1" }
 * parseHookPayload("agent-turn-complete");    // "agent-turn-complete"
 * parseHookPayload("  ");                     // null
 * ```
 */
export function parseHookPayload(text: string): unknown {
  const t = text.trim();
  if (!t) return null;
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}
