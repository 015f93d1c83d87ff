/**
 * A promise that settles on a later turn of the event loop, once timers and ready I/O have
 * run: how a long stretch of work lets the rest of the process in. A zero-delay timer, not
 * `setImmediate`: under Bun 1.4 the code after an `await` of an immediate now and then waited
 * for the next timer instead (seen: tmux's answers read 500 ms late, at a command's deadline;
 * 5 runs in 80 of a unit test, none of 80 with the timer). It costs about 1 ms.
 *
 * @example
 * if (performance.now() - turnStart > 4) await yieldTurn();
 */
export function yieldTurn(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}
