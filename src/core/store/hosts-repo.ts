import type { Database } from "bun:sqlite";

/** A machine added with `orch host add`, as stored. */
export interface HostRecord {
  name: string;
  /** What ssh is given: an alias, `host` or `user@host`. */
  dest: string;
  port: number | null;
  labels: Record<string, string>;
  /** Its own cap on live workers, or null for the global `maxWorkers`. */
  maxWorkers: number | null;
  /** What the last check found there (see host-probe.ts), as JSON. */
  facts: unknown;
  addedAt: number;
}

/**
 * The `hosts` table: the other machines orch drives over OpenSSH ("local" is not stored).
 *
 * @example
 * ```ts
 * store.hosts.insert({ name: "build-1", dest: "me@build-1", port: null, labels: { gpu: "1" }, maxWorkers: 8, facts: null, addedAt: Date.now() });
 * store.hosts.get("build-1")?.labels.gpu; // "1"
 * ```
 */
export interface HostsRepo {
  insert(h: HostRecord): void;
  get(name: string): HostRecord | null;
  list(): HostRecord[];
  setFacts(name: string, facts: unknown): void;
  /** Removes it; false when there was none. */
  remove(name: string): boolean;
}

interface HostRow {
  name: string;
  dest: string;
  port: number | null;
  labels: string;
  max_workers: number | null;
  facts: string | null;
  added_at: number;
}

const fromRow = (r: HostRow): HostRecord => ({
  name: r.name,
  dest: r.dest,
  port: r.port,
  labels: JSON.parse(r.labels) as Record<string, string>,
  maxWorkers: r.max_workers,
  facts: r.facts === null ? null : (JSON.parse(r.facts) as unknown),
  addedAt: r.added_at,
});

/** The hosts repository over a migrated store connection. */
export function createHostsRepo(db: Database): HostsRepo {
  const insert = db.prepare<
    never,
    [string, string, number | null, string, number | null, string | null, number]
  >(
    "INSERT INTO hosts (name, dest, port, labels, max_workers, facts, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const get = db.prepare<HostRow, [string]>("SELECT * FROM hosts WHERE name = ?");
  const list = db.prepare<HostRow, []>("SELECT * FROM hosts ORDER BY name");
  const facts = db.prepare<never, [string, string]>("UPDATE hosts SET facts = ? WHERE name = ?");
  const remove = db.prepare<never, [string]>("DELETE FROM hosts WHERE name = ?");
  return {
    insert(h) {
      insert.run(
        h.name,
        h.dest,
        h.port,
        JSON.stringify(h.labels),
        h.maxWorkers,
        h.facts === null ? null : JSON.stringify(h.facts),
        h.addedAt,
      );
    },
    get(name) {
      const r = get.get(name);
      return r ? fromRow(r) : null;
    },
    list: () => list.all().map(fromRow),
    setFacts(name, f) {
      facts.run(JSON.stringify(f), name);
    },
    remove: (name) => remove.run(name).changes > 0,
  };
}
