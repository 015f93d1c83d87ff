/**
 * The one exception the domain throws: a caller asked for a state change the rules forbid.
 * That is a bug in the caller, not an expected outcome, so it is thrown rather than returned.
 *
 * @example
 * ```ts
 * throw new IllegalTransitionError("worker", "dead", "running", ["idle", "error"]);
 * // IllegalTransitionError: illegal worker transition: dead -> running (from dead: idle, error)
 * ```
 */
export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";

  constructor(
    /** Which state machine refused: `worker` or `task`. */
    readonly kind: "worker" | "task",
    readonly from: string,
    readonly to: string,
    /** The states `from` may move to, named in the message. */
    readonly allowed: readonly string[],
  ) {
    const options = allowed.length === 0 ? `${from} is final` : `from ${from}: ${allowed.join(", ")}`;
    super(`illegal ${kind} transition: ${from} -> ${to} (${options})`);
  }
}
