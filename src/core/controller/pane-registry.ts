import type { WorkerRuntime } from "./worker-runtime.ts";

const HELD_CHUNKS_PER_PANE = 64;
const HELD_PANES = 256;

/**
 * Which worker a tmux pane belongs to. Output of a pane not (yet) known is held: a new
 * pane's first output can arrive in the same read as tmux's answer to new-window, before the
 * controller has the pane's id; `attach` hands it back to be replayed.
 */
export class PaneRegistry {
  private readonly byPane = new Map<string, WorkerRuntime>();
  private readonly unclaimed = new Map<string, Uint8Array[]>();

  get(paneId: string): WorkerRuntime | undefined {
    return this.byPane.get(paneId);
  }

  /** Binds the pane to the worker; returns the output it wrote before, oldest first. */
  attach(rt: WorkerRuntime, paneId: string, windowId: string): Uint8Array[] {
    rt.paneId = paneId;
    rt.windowId = windowId;
    this.byPane.set(paneId, rt);
    const early = this.unclaimed.get(paneId) ?? [];
    this.unclaimed.delete(paneId);
    return early;
  }

  /** The workers whose panes are bound now. */
  all(): IterableIterator<WorkerRuntime> {
    return this.byPane.values();
  }

  forget(paneId: string): void {
    this.byPane.delete(paneId);
  }

  clear(): void {
    this.byPane.clear();
  }

  /** Keeps output of an unknown pane (bounded: window 0 and strangers must not grow it). */
  hold(paneId: string, data: Uint8Array): void {
    const list = this.unclaimed.get(paneId) ?? [];
    list.push(data.slice());
    if (list.length > HELD_CHUNKS_PER_PANE) list.shift();
    this.unclaimed.set(paneId, list);
    if (this.unclaimed.size > HELD_PANES) this.unclaimed.delete(this.unclaimed.keys().next().value!);
  }
}
