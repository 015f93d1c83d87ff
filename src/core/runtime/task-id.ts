/**
 * A new task id: a UUIDv7, so ids sort by creation time and each lands at the end of the
 * store's id index instead of on a random page of it.
 *
 * @example
 * ```ts
 * newTaskId(); // "019ad1c2-7a3b-7c41-9e8f-3b1d2c4e5f60"
 * ```
 */
export function newTaskId(): string {
  return Bun.randomUUIDv7();
}
