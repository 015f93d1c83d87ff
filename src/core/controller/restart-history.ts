/**
 * When each worker was last restarted automatically: what the restart intensity counts. It is
 * seeded from the store's `worker.revived` events (those made `by: "auto"` after the worker's
 * last revive by hand), so a controller restart does not reset a crash loop's count.
 */
import type { OrchEvent } from "../domain/types.ts";

/** How far back in the event log the seed looks (events are rare: deaths, revives, limits). */
const SEED_EVENTS = 5000;

export class RestartHistory {
  private readonly times = new Map<string, number[]>();

  /** Seeds from the newest events (oldest first is not required); `now` and `windowMs` bound it. */
  constructor(events: OrchEvent[] = [], now = Date.now(), windowMs = Number.POSITIVE_INFINITY) {
    const byHand = new Map<string, number>();
    for (const e of events) {
      if (e.kind !== "worker.revived" || !e.worker) continue;
      if (e.data.by === "auto") {
        if (e.at >= now - windowMs) this.times.set(e.worker, [...(this.times.get(e.worker) ?? []), e.at]);
      } else if (e.data.by === "hand") byHand.set(e.worker, Math.max(byHand.get(e.worker) ?? 0, e.at));
    }
    for (const [worker, at] of byHand) this.forgetBefore(worker, at);
    for (const list of this.times.values()) list.sort((a, b) => a - b);
  }

  /** How many events the seed should read. */
  static readonly seedEvents = SEED_EVENTS;

  /** The worker's automatic restarts at or after `since`. */
  recent(worker: string, since: number): number[] {
    return (this.times.get(worker) ?? []).filter((t) => t >= since);
  }

  record(worker: string, at: number): void {
    this.times.set(worker, [...(this.times.get(worker) ?? []), at]);
  }

  /** Starts the worker's count again (revived by hand, or removed). */
  forget(worker: string): void {
    this.times.delete(worker);
  }

  private forgetBefore(worker: string, at: number): void {
    const kept = (this.times.get(worker) ?? []).filter((t) => t > at);
    if (kept.length) this.times.set(worker, kept);
    else this.times.delete(worker);
  }
}
