/**
 * The controller while its store cannot take writes (a full disk, a failing one, a damaged
 * file): it stops acting on panes and refuses writes with the store's own reason, looks every
 * second whether writes work again, and then resumes by itself, its view of every worker and
 * task read again from the store (nothing it did meanwhile ran ahead of what is stored).
 */
import { type Store, StoreWriteError, storeFaultKind } from "../store/index.ts";
import type { Logger } from "./logger.ts";
import type { TmuxHostEvents } from "./tmux-host.ts";

export interface StoreStallDeps {
  store: Store;
  logger: Logger;
  /** Rebuilds the in-memory view from the store (adoption), once writes work again. */
  resync(): Promise<void>;
  /** The stall began: who waits for a task is answered now (and told why on asking again). */
  stalled?(): void;
  /** How often to try a write while stalled (ms); 1000 by default. */
  probeMs?: number;
}

/**
 * Follows the store's faults: {@link StoreStall.fault} is set from the first failed commit
 * until a probe write succeeds and the resync has run.
 *
 * @example
 * ```ts
 * const stall = new StoreStall({ store, logger, resync: () => adoptAgain() });
 * if (stall.fault) return problem("unavailable", stall.fault.message);
 * ```
 */
export class StoreStall {
  /** Why writes are refused now (also while resuming); null while the store takes them. */
  fault: StoreWriteError | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private resyncing = false;
  /** A fault came during the resync: look again instead of resuming. */
  private failedAgain = false;
  private readonly off: () => void;

  constructor(private readonly d: StoreStallDeps) {
    this.off = d.store.onFault((f) => this.noted(f));
  }

  private noted(f: StoreWriteError): void {
    const first = this.fault === null;
    this.fault = f;
    if (first) {
      this.d.logger.log("error", "the store cannot take writes; orch waits and resumes by itself", {
        error: f.message,
      });
      this.d.stalled?.();
    }
    this.failedAgain = true;
    if (!this.timer && !this.resyncing)
      this.timer = setInterval(() => void this.probe(), this.d.probeMs ?? 1000);
  }

  private async probe(): Promise<void> {
    if (this.resyncing) return;
    const still = this.d.store.probeWrite();
    if (still) {
      this.fault = still;
      return;
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.resyncing = true;
    this.failedAgain = false;
    try {
      await this.d.resync();
    } catch (e) {
      this.d.logger.log("error", "resuming after the store came back failed", { error: String(e) });
      this.failedAgain = true;
    } finally {
      this.resyncing = false;
    }
    if (this.failedAgain) {
      this.timer ??= setInterval(() => void this.probe(), this.d.probeMs ?? 1000);
      return;
    }
    this.fault = null;
    this.d.logger.log("info", "the store takes writes again: orch resumed");
  }

  /**
   * `e` as the store fault it is, or null. A fault met outside a transaction (a single write,
   * a read of a damaged page) stalls the controller as a failed commit does.
   */
  explain(e: unknown): StoreWriteError | null {
    if (e instanceof StoreWriteError) return e;
    const kind = storeFaultKind(e, this.d.store.path);
    if (!kind) return null;
    const fault = new StoreWriteError(this.d.store.path, kind, e);
    this.noted(fault);
    return fault;
  }

  /** Stops looking (the controller is stopping). */
  close(): void {
    this.off();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * `events` of a tmux host, held back while the store takes no writes: pane output, deaths and
 * closed windows are not acted on (the resume reads the panes again), and the commit of one
 * read that fails for want of a store is the stall's to handle, not the reader's.
 */
export function stallAware(stall: StoreStall, events: TmuxHostEvents): TmuxHostEvents {
  return {
    ...events,
    output: (rt, data) => stall.fault || events.output(rt, data),
    paneDied: (rt, why) => stall.fault || events.paneDied(rt, why),
    windowClosed: (rt) => stall.fault || events.windowClosed(rt),
    around(handle) {
      try {
        events.around(handle);
      } catch (e) {
        if (!(e instanceof StoreWriteError)) throw e;
      }
    },
  };
}
