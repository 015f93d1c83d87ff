/**
 * Group commit for writes that arrive together: API requests handled in the same turn of the
 * event loop share one store transaction instead of committing one by one. Each write still
 * runs in a savepoint of its own, so one that throws rolls back alone, and every caller hears
 * back only after the shared commit.
 */

/**
 * Batches synchronous writes into one transaction per event-loop turn.
 *
 * @example
 * ```ts
 * const group = new GroupCommit((fn) => store.transaction(fn));
 * const sent = await group.run(() => controller.send(req)); // committed when this resolves
 * ```
 */
export class GroupCommit {
  private queue: Array<{ fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> =
    [];
  private scheduled = false;

  /** `transaction` runs its callback in one store transaction (nested calls become savepoints). */
  constructor(private readonly transaction: <T>(fn: () => T) => T) {}

  /** Runs `fn` in the next shared transaction; resolves with its result once that commits. */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.transaction(() => {
        for (const item of batch) {
          try {
            results.push({ ok: true, value: this.transaction(item.fn) });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // the commit itself failed: nothing of the batch is stored
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const r = results[i]!;
      if (r.ok) item.resolve(r.value);
      else item.reject(r.error);
    });
  }
}
