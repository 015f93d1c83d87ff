/** Reading the task or run id someone typed (a whole id or a unique prefix) into the full id. */

import { parseIdPrefix } from "../domain/id-prefix.ts";
import type { FailureCode } from "../domain/result.ts";
import type { IdIndex } from "../store/index.ts";

/** How many matching ids an "ambiguous" answer names. */
export const AMBIGUOUS_SHOWN = 10;

/**
 * The full id a key stands for; or why not: `bad_input` (not an id prefix, or `ambiguous`:
 * several ids start with it, the first of them in `matches`), `not_found` (none does).
 */
export type IdKeyResult =
  | { ok: true; id: string }
  | {
      ok: false;
      code: FailureCode;
      error: string;
      ambiguous?: { matches: string[]; total: number };
    };

/**
 * Resolves `key` among `ids`: an id as it is stored, or a prefix of one as tables show it or
 * a person types it (any case, with or without dashes, at least 4 hex digits).
 *
 * @example
 * ```ts
 * resolveIdKey(store.tasks.ids, "01A235758E83", "task", "orch results");
 * // { ok: true, id: "01a23575-8e83-7457-b509-c58cd8947b0c" }
 * resolveIdKey(store.tasks.ids, "01a2", "task", "orch results");
 * // { ok: false, code: "bad_input", error: 'task "01a2" is ambiguous: 3 tasks start with it: ...', ambiguous }
 * ```
 */
export function resolveIdKey(ids: IdIndex, key: string, noun: "task" | "run", lister: string): IdKeyResult {
  if (ids.has(key)) return { ok: true, id: key };
  const parsed = parseIdPrefix(key, noun);
  if (!parsed.ok) return { ok: false, code: "bad_input", error: parsed.error };
  const { ids: matches, total } = ids.withPrefix(parsed.prefix, AMBIGUOUS_SHOWN);
  if (total === 1) return { ok: true, id: matches[0]! };
  if (total === 0)
    return {
      ok: false,
      code: "not_found",
      error: `unknown ${noun} ${JSON.stringify(key)} (${lister} lists them)`,
    };
  const more = total > matches.length ? ` and ${total - matches.length} more` : "";
  return {
    ok: false,
    code: "bad_input",
    error: `${noun} ${JSON.stringify(key)} is ambiguous: ${total} ${noun}s start with it: ${matches.join(", ")}${more}; give more of the id`,
    ambiguous: { matches, total },
  };
}

/**
 * The JSON body an API answer gives for a key that did not resolve: `{error, code}`, and for an
 * ambiguous one `code: "ambiguous"`, `matches` (the first ids) and `matchCount`.
 *
 * @example
 * ```ts
 * const r = resolveIdKey(store.tasks.ids, key, "task", "orch results");
 * if (!r.ok) return Response.json(idKeyProblem(r), { status: r.code === "not_found" ? 404 : 400 });
 * ```
 */
export function idKeyProblem(r: Extract<IdKeyResult, { ok: false }>): Record<string, unknown> {
  if (!r.ambiguous) return { error: r.error, code: r.code };
  return { error: r.error, code: "ambiguous", matches: r.ambiguous.matches, matchCount: r.ambiguous.total };
}
