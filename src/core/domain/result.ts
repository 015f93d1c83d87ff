/**
 * Why an expected failure happened, in the words the edges map to exit codes and HTTP
 * statuses: 2 / 400 bad input, 404 not found, 409 conflict, 3 / 503 unavailable.
 */
export type FailureCode = "bad_input" | "not_found" | "unavailable" | "conflict";

/**
 * The one shape of an expected outcome in orch: a value, or a failure with its reason (and,
 * where an edge maps it, a code). A task that failed, a worker that could not start, a file
 * that does not parse: all are values of this type, never exceptions.
 *
 * @example
 * ```ts
 * function half(n: number): Result<number> {
 *   return n % 2 === 0 ? ok(n / 2) : fail("bad_input", `${n} is odd: expected an even number`);
 * }
 * const r = half(3);
 * if (!r.ok) console.error(r.error); // "3 is odd: expected an even number"
 * ```
 */
export type Result<T> = { ok: true; value: T } | Failure;

/** The failed half of a {@link Result}: it fits a `Result<T>` of any `T`. */
export type Failure = { ok: false; code: FailureCode; error: string };

/** A successful {@link Result}. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/**
 * The success of a check that has no value to give (`Result<void>`): one shared object, so a
 * check on a hot path (every task's text) allocates nothing when it passes.
 *
 * @example
 * ```ts
 * function positive(n: number): Result<void> {
 *   return n > 0 ? OK : fail("bad_input", `${n}: expected a positive number`);
 * }
 * ```
 */
export const OK: Result<void> = Object.freeze({ ok: true, value: undefined });

/** A failed {@link Result}: `code` says what kind of failure, `error` says what and with which value. */
export const fail = (code: FailureCode, error: string): Failure => ({ ok: false, code, error });

/**
 * The message of anything that was thrown: an Error's message, a string as it is, and any
 * other value as JSON (or its String form when it has none).
 *
 * @example
 * ```ts
 * errorMessage(new Error("disk full")); // "disk full"
 * errorMessage("nope");                 // "nope"
 * errorMessage({ code: 7 });            // '{"code":7}'
 * errorMessage(undefined);              // "undefined"
 * ```
 */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === "string") return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}
