/**
 * The store's transactions, guarded: a commit that cannot reach the disk (full, failing,
 * damaged file) is rolled back and reported as one {@link StoreWriteError}; what must happen
 * only once a change is stored (typing a task, answering a client) waits for the commit.
 */
import type { Database } from "bun:sqlite";
import { StoreWriteError, storeFaultKind } from "./errors.ts";

/** Told of every write that failed for want of a usable store (after its rollback). */
export type FaultListener = (fault: StoreWriteError) => void;

/**
 * Runs transactions on `db` (whose file is `file`) and the callbacks tied to their outcome.
 *
 * @example
 * ```ts
 * const tx = new GuardedTransactions(db, file);
 * tx.run(() => { insert(); tx.afterCommit(() => typeIt()); });
 * ```
 */
export class GuardedTransactions {
  private depth = 0;
  private committed: Array<() => void> = [];
  private rolledBack: Array<() => void> = [];
  /** A fault met inside the current transaction (a nested write may have swallowed it). */
  private pendingFault: StoreWriteError | null = null;
  private readonly listeners = new Set<FaultListener>();
  /** Set once the file is found damaged: writes are refused from then on. */
  damaged: StoreWriteError | null = null;
  private readonly inTransaction: { immediate(fn: () => unknown): unknown };

  constructor(
    db: Database,
    private readonly file: string,
  ) {
    // Made once: a call only runs it with the caller's fn.
    this.inTransaction = db.transaction(<T>(fn: () => T): T => {
      const result = fn();
      if (isThenable(result)) {
        // Thrown inside, so the transaction rolls back instead of committing half the work.
        throw new TypeError("store.transaction: fn returned a Promise; it must be synchronous");
      }
      return result;
    });
  }

  /** True inside a transaction (its writes are not committed yet). */
  get open(): boolean {
    return this.depth > 0;
  }

  /** `err` as a StoreWriteError when it is one of the store faults, else as it is. */
  classify(err: unknown): unknown {
    if (err instanceof StoreWriteError) return err;
    const kind = storeFaultKind(err, this.file);
    return kind ? new StoreWriteError(this.file, kind, err) : err;
  }

  /** Runs `fn` in one transaction, or as a savepoint inside the current one. */
  run<T>(fn: () => T): T {
    if (this.depth > 0) return this.nested(fn);
    if (this.damaged) throw this.damaged;
    this.depth = 1;
    this.pendingFault = null;
    let result: T;
    try {
      result = this.inTransaction.immediate(() => {
        const r = fn();
        // a write inside hit the fault and its caller went on: nothing of this may commit
        if (this.pendingFault) throw this.pendingFault;
        return r;
      }) as T;
    } catch (err) {
      const fault = this.pendingFault ?? this.classify(err);
      this.end(this.rolledBack);
      if (fault instanceof StoreWriteError) this.report(fault);
      throw fault;
    }
    this.end(this.committed);
    return result;
  }

  private nested<T>(fn: () => T): T {
    this.depth++;
    try {
      return this.inTransaction.immediate(fn) as T;
    } catch (err) {
      const fault = this.classify(err);
      if (fault instanceof StoreWriteError) this.pendingFault ??= fault;
      throw fault;
    } finally {
      this.depth--;
    }
  }

  /** Leaves the transaction, then runs `hooks` (the commit's or the rollback's) in order. */
  private end(hooks: Array<() => void>): void {
    this.depth = 0;
    this.pendingFault = null;
    const run = hooks.splice(0);
    this.committed = [];
    this.rolledBack = [];
    let failure: unknown = null;
    for (const h of run) {
      try {
        h();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure)
      queueMicrotask(() => {
        throw failure;
      });
  }

  /** Tells the listeners; a damaged file stops all later writes. */
  report(fault: StoreWriteError): void {
    if (fault.kind === "corrupt") this.damaged ??= fault;
    for (const l of this.listeners) l(fault);
  }

  /** `fn` once the current transaction commits (dropped if it rolls back); now, outside one. */
  afterCommit(fn: () => void): void {
    if (this.depth > 0) this.committed.push(fn);
    else fn();
  }

  /** `fn` if the current transaction rolls back; nothing outside one. */
  onRollback(fn: () => void): void {
    if (this.depth > 0) this.rolledBack.push(fn);
  }

  /** Subscribes to faults; returns the unsubscribe. */
  onFault(l: FaultListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

function isThenable(x: unknown): boolean {
  return typeof (x as { then?: unknown } | null)?.then === "function";
}
