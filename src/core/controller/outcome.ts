/** Why a request could not be done: maps to the CLI's exit codes (2 bad input, 3 unavailable). */
export type FailureCode = "bad_input" | "not_found" | "unavailable" | "conflict";

/** An expected outcome: a value, or a failure with its reason. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: FailureCode; error: string };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = <T = never>(code: FailureCode, error: string): Outcome<T> => ({ ok: false, code, error });
