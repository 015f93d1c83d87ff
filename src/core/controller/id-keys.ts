/** Reading the task or run id someone typed (a whole id or a unique prefix) into the full id. */

import { parseIdPrefix } from "../domain/id-prefix.ts";
import { type Failure, fail, ok, type Result } from "../domain/result.ts";
import type { IdIndex } from "../store/index.ts";

/** How many matching ids an "ambiguous" answer names. */
export const AMBIGUOUS_SHOWN = 10;

/** Why a key stands for no one id: the message, and for an ambiguous key the ids that start with it. */
export interface UnresolvedIdKey {
  message: string;
  /** Several ids start with the key: the first {@link AMBIGUOUS_SHOWN} of them, and how many do. */
  ambiguous?: { matches: string[]; total: number };
}

/**
 * The full id a key stands for; or why not: `bad_input` (not an id prefix, or `ambiguous`:
 * several ids start with it, the first of them in `matches`), `not_found` (none does).
 */
export type IdKeyResult = Result<string, UnresolvedIdKey>;

/**
 * Resolves `key` among `ids`: an id as it is stored, or a prefix of one as tables show it or
 * a person types it (any case, with or without dashes, at least 4 hex digits).
 *
 * @example
 * ```ts
 * resolveIdKey(store.tasks.ids, "01A235758E83", "task", "orch results");
 * // { ok: true, value: "01a23575-8e83-7457-b509-c58cd8947b0c" }
 * resolveIdKey(store.tasks.ids, "01a2", "task", "orch results");
 * // { ok: false, code: "bad_input", error: { message: 'task "01a2" is ambiguous: 3 tasks start with it: ...', ambiguous } }
 * ```
 */
export function resolveIdKey(ids: IdIndex, key: string, noun: "task" | "run", lister: string): IdKeyResult {
  if (ids.has(key)) return ok(key);
  const parsed = parseIdPrefix(key, noun);
  if (!parsed.ok) return fail("bad_input", { message: parsed.error });
  const { ids: matches, total } = ids.withPrefix(parsed.value, AMBIGUOUS_SHOWN);
  if (total === 1) return ok(matches[0]!);
  if (total === 0)
    return fail("not_found", { message: `unknown ${noun} ${JSON.stringify(key)} (${lister} lists them)` });
  const more = total > matches.length ? ` and ${total - matches.length} more` : "";
  return fail("bad_input", {
    message: `${noun} ${JSON.stringify(key)} is ambiguous: ${total} ${noun}s start with it: ${matches.join(", ")}${more}; give more of the id`,
    ambiguous: { matches, total },
  });
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
export function idKeyProblem(r: Failure<UnresolvedIdKey>): Record<string, unknown> {
  const { message, ambiguous } = r.error;
  if (!ambiguous) return { error: message, code: r.code };
  return { error: message, code: "ambiguous", matches: ambiguous.matches, matchCount: ambiguous.total };
}
