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
 * The reason is a message (`E = string`) unless a failure carries more than one line of
 * text can: then `E` names what it carries instead, e.g. a workflow file's located errors
 * (`Result<Workflow, WorkflowError[]>`) or the HTTP answer a request check already made
 * (`Result<T, Response>`).
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
export type Result<T, E = string> = { ok: true; value: T } | Failure<E>;

/**
 * The failed half of a {@link Result}: it fits a `Result<T, E>` of any `T`. `error` is the
 * message (or, with a non-string `E`, whatever the failure carries).
 */
export type Failure<E = string> = { ok: false; code: FailureCode; error: E };

/**
 * A successful {@link Result}. `E` comes from where the value goes (a function's return type),
 * so `ok(x)` fits a `Result<T, E>` of any `E`.
 */
export const ok = <T, E = string>(value: T): Result<T, E> => ({ ok: true, value });

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

/**
 * A failed {@link Result}: `code` says what kind of failure, `error` says what and with which
 * value. `error` is a message as a rule; any other value makes a `Failure` of its type, for a
 * `Result<T, E>` whose failures carry more than a message.
 *
 * @example
 * ```ts
 * fail("not_found", 'no worker "w9"');                // Failure<string>, fits any Result<T>
 *
 * interface LineError { line: number; message: string }
 * function lines(text: string): Result<string[], LineError[]> {
 *   const errors = text.split("\n").flatMap((l, i) => (l.length > 80 ? [{ line: i + 1, message: "too long" }] : []));
 *   return errors.length > 0 ? fail("bad_input", errors) : ok(text.split("\n"));
 * }
 * ```
 */
export const fail = <E = string>(code: FailureCode, error: E): Failure<E> => ({ ok: false, code, error });

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
