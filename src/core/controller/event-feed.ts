/** Long-polls over the event log: `orch events -f` waits here for the next event. */
import type { OrchEvent } from "../domain/types.ts";
import type { EventsRepo } from "../store/index.ts";

/**
 * Answers "events after id N", waiting up to a deadline when there are none yet; woken by
 * the store's append, never by a timer.
 *
 * @example
 * ```ts
 * const feed = new EventFeed(store.events);
 * const next = await feed.after(lastId, 100, 30_000); // [] after 30 s of nothing
 * ```
 */
export class EventFeed {
  private readonly waiting = new Set<() => void>();

  constructor(private readonly events: EventsRepo) {
    events.onAppend(() => {
      const wake = [...this.waiting];
      this.waiting.clear();
      // after the append's transaction has committed
      for (const w of wake) queueMicrotask(w);
    });
  }

  async after(afterId: number, limit: number, waitMs: number): Promise<OrchEvent[]> {
    const now = this.events.list({ afterId, limit });
    if (now.length > 0 || waitMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiting.add(done);
    });
    return this.events.list({ afterId, limit });
  }
}
