/** Long-polling on runs: a version per run, bumped on every change, and waiters for the next one. */
export class RunWatchers {
  private readonly versions = new Map<string, number>();
  private readonly waiting = new Map<string, Set<() => void>>();

  version(runId: string): number {
    return this.versions.get(runId) ?? 0;
  }

  bump(runId: string): void {
    this.versions.set(runId, this.version(runId) + 1);
    const ws = this.waiting.get(runId);
    if (!ws) return;
    this.waiting.delete(runId);
    for (const w of ws) w();
  }

  /** Resolves once the run's version is past `since`, or after `ms`. */
  wait(runId: string, since: number, ms: number): Promise<void> {
    if (this.version(runId) > since) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.get(runId)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const ws = this.waiting.get(runId) ?? new Set();
      this.waiting.set(runId, ws);
      ws.add(done);
    });
  }

  releaseAll(): void {
    for (const ws of this.waiting.values()) for (const w of ws) w();
    this.waiting.clear();
  }
}
