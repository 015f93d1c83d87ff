import type { Task } from "../domain/types.ts";

type Waiter = (t: Task | null) => void;

/** Callers waiting for tasks to become final: the long-polls of the API. */
export class TaskWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /**
   * Resolves with the task once `notify` reports it, or after `ms` with `read()`.
   *
   * @example
   * const t = await waiters.wait(id, 5000, () => store.tasks.get(id));
   */
  wait(id: string, ms: number, read: () => Task | null): Promise<Task | null> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<Waiter>();
      this.waiters.set(id, set);
      const timer = setTimeout(() => {
        set.delete(done);
        resolve(read());
      }, ms);
      const done: Waiter = (task) => {
        clearTimeout(timer);
        resolve(task ?? read());
      };
      set.add(done);
    });
  }

  /** Answers everyone waiting for this (now final) task. */
  notify(t: Task): void {
    const set = this.waiters.get(t.id);
    if (!set) return;
    this.waiters.delete(t.id);
    for (const w of set) w(t);
  }

  /** Answers every waiter with the task as it is now (the controller is stopping). */
  releaseAll(): void {
    for (const set of this.waiters.values()) for (const w of set) w(null);
    this.waiters.clear();
  }
}
