/**
 * Short ids: what tables show of a task or run id, and how a prefix someone typed is read.
 *
 * Ids are UUIDs (`8-4-4-4-12` hex digits). A task id is a UUIDv7 from Bun: its first 12 hex
 * digits (`xxxxxxxx-xxxx`, 13 characters) are the millisecond it was made, then the version
 * digit `7`, then 3 digits of a counter for ids made in the same millisecond (it starts at a
 * random value each millisecond and counts up; past 0xfff the clock moves on), then random
 * bits. So one controller's task ids only grow. Tables show the shortest prefix of the full id
 * that no other id in the store starts with, and never less than the clock part: a task made
 * in a later millisecond cannot start with it, so a short id stays unique as tasks come. The
 * one exception is the newest task of all in its first second, while more tasks may still come
 * in its millisecond: it shows its counter too. Run ids are random (UUIDv4): 8 digits.
 */

import { fail, ok, type Result } from "./result.ts";

/** Shortest task id tables show: the whole millisecond clock of a UUIDv7 (`01a23575-8e83`). */
export const TASK_ID_SHORT_MIN = 13;
/** Clock, version and same-millisecond counter of a UUIDv7 (`01a23575-8e83-7457`): unique among one controller's ids. */
export const TASK_ID_WITH_COUNTER = 18;
/** How long after its millisecond the newest task still shows its counter (room for a clock that steps back a little). */
export const NEWEST_TASK_OPEN_MS = 1000;
/** Shortest run id tables show (run ids are random UUIDv4). */
export const RUN_ID_SHORT_MIN = 8;
/** Fewest hex digits an id prefix may have. */
export const ID_PREFIX_MIN_DIGITS = 4;

/** Where a UUID's text has its dashes, counted in hex digits before them. */
const DASH_AFTER = [8, 12, 16, 20];
const HEX_AND_DASHES = /^[0-9a-f-]+$/i;

/**
 * Reads an id or id prefix as typed: hex digits, any case, with or without dashes, at least
 * {@link ID_PREFIX_MIN_DIGITS} digits and at most 32. Gives the prefix as the full id's text
 * starts (lower case, dashes where a UUID has them), ready to look up; or, as `bad_input`,
 * why it is not one.
 *
 * @example
 * ```ts
 * parseIdPrefix("01A235758E837457", "task"); // { ok: true, value: "01a23575-8e83-7457" }
 * parseIdPrefix("01a", "task");
 * // { ok: false, code: "bad_input", error: `task id "01a": expected at least 4 hex digits (0-9, a-f; dashes allowed)` }
 * ```
 */
export function parseIdPrefix(raw: string, noun: string): Result<string> {
  const digits = raw.replaceAll("-", "").toLowerCase();
  const bad = (why: string) => fail("bad_input", `${noun} id ${JSON.stringify(raw)}: expected ${why}`);
  if (!HEX_AND_DASHES.test(raw)) return bad("hex digits (0-9, a-f) and dashes only");
  if (digits.length < ID_PREFIX_MIN_DIGITS)
    return bad(`at least ${ID_PREFIX_MIN_DIGITS} hex digits (0-9, a-f; dashes allowed)`);
  if (digits.length > 32) return bad("at most 32 hex digits (a whole id)");
  let prefix = "";
  let from = 0;
  for (const at of DASH_AFTER) {
    if (digits.length <= at) break;
    prefix += `${digits.slice(from, at)}-`;
    from = at;
  }
  return ok(prefix + digits.slice(from));
}

/**
 * The millisecond a UUIDv7 was made (its first 48 bits), or null when `id` is not a UUIDv7.
 *
 * @example
 * ```ts
 * uuidv7Millis("018bcfe5-6800-77f8-a882-528aff42caa8"); // 1700000000000
 * uuidv7Millis("2f412f3d-c67f-413b-94d1-652943bae8d2"); // null (a UUIDv4)
 * ```
 */
export function uuidv7Millis(id: string): number | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(id)) return null;
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * The short id a table shows for task `id`, given the ids just before and after it in the
 * store (null: none) and the time now: the shortest unique prefix of at least
 * {@link TASK_ID_SHORT_MIN} characters, or {@link TASK_ID_WITH_COUNTER} for the newest task in
 * the first second after its millisecond (a task made later in that millisecond would start
 * with its clock). Any later task sorts after the next id, so shares less with this one.
 *
 * @example
 * ```ts
 * shortTaskId("018bcfe5-6800-77f8-a882-528aff42caa8", [null, "018bcfe5-6801-7000-8000-000000000000"], Date.now());
 * // "018bcfe5-6800"
 * shortTaskId("018bcfe5-6800-77f8-a882-528aff42caa8", [null, null], 1_700_000_000_000);
 * // "018bcfe5-6800-77f8" (the newest task, made this very millisecond)
 * ```
 */
export function shortTaskId(
  id: string,
  around: readonly [string | null, string | null],
  now: number,
): string {
  const made = uuidv7Millis(id);
  const open = around[1] === null && made !== null && made >= now - NEWEST_TASK_OPEN_MS;
  return shortestUniquePrefix(id, around, open ? TASK_ID_WITH_COUNTER : TASK_ID_SHORT_MIN);
}

/**
 * The first text after every text that starts with `prefix` (in byte order): the end of the
 * range `[prefix, prefixEnd(prefix))` an index can read.
 *
 * @example
 * ```ts
 * prefixEnd("01a9"); // "01a:"
 * ```
 */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * The shortest prefix of `id` that none of `others` starts with, at least `min` characters,
 * never ending on a dash. `others` need only be the ids just before and after `id` in sorted
 * order: every other id shares less of its beginning.
 *
 * @example
 * ```ts
 * shortestUniquePrefix("01a23575-8e83-7457-b509-c58cd8947b0c", ["01a23575-8e83-7456-9d1e-1f00c1a2b3c4"], 13);
 * // "01a23575-8e83-7457"
 * shortestUniquePrefix("01a23575-8e83-7457-b509-c58cd8947b0c", [null, "01a23575-9000-7001-8000-000000000000"], 13);
 * // "01a23575-8e83"
 * ```
 */
export function shortestUniquePrefix(id: string, others: ReadonlyArray<string | null>, min: number): string {
  let shared = 0;
  for (const other of others) {
    if (other === null || other === id) continue;
    let n = 0;
    while (n < id.length && n < other.length && id[n] === other[n]) n++;
    shared = Math.max(shared, n);
  }
  let length = Math.max(min, shared + 1);
  while (length < id.length && id[length - 1] === "-") length++;
  return id.slice(0, Math.min(length, id.length));
}
