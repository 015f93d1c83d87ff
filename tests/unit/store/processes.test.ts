/**
 * Durability across processes: what one process commits, another one (a separate `bun -e`)
 * reads, with both stores open at once.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openStore, SCHEMA_VERSION } from "../../../src/core/store/index.ts";
import { makeTask, makeWorker, tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(tmp.cleanup);

const STORE_MODULE = join(import.meta.dir, "../../../src/core/store/index.ts");

/** Run `body` in a fresh bun process where `store` is the store at `file`; returns what it printed. */
async function inChild(file: string, body: string): Promise<string> {
  const script = `
    import { openStore } from ${JSON.stringify(STORE_MODULE)};
    const store = openStore(process.env.STORE_FILE);
    try { ${body} } finally { store.close(); }
  `;
  const proc = Bun.spawn([process.execPath, "-e", script], {
    env: { ...process.env, STORE_FILE: file },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`child exited ${code}: ${err}`);
  return out.trim();
}

describe("across processes", () => {
  test("a second process reads what the first committed, while the first is still open", async () => {
    const file = tmp.file("orch.db");
    const store = openStore(file);
    const w = makeWorker();
    store.workers.insert(w);
    const t = store.tasks.insert(makeTask({ output: "résultat ✓\n".repeat(1000), status: "succeeded" }));
    store.events.append({ at: 1, kind: "task.finished", worker: "c1", task: t.id, data: { exit: 0 } });

    const out = await inChild(
      file,
      `console.log(JSON.stringify({
        worker: store.workers.get("c1"),
        task: store.tasks.get(${JSON.stringify(t.id)}),
        events: store.events.list().length,
      }));`,
    );
    expect(JSON.parse(out)).toEqual({ worker: w, task: t, events: 1 });
    store.close();
  });

  test("the first process reads what a second one committed", async () => {
    const file = tmp.file("orch.db");
    const store = openStore(file, { durability: "full" });
    store.workers.insert(makeWorker());
    const t = store.tasks.insert(makeTask());
    await inChild(
      file,
      `store.tasks.update(${JSON.stringify(t.id)}, { status: "succeeded", exitCode: 0, output: "done", finishedAt: 7 });`,
    );
    expect(store.tasks.get(t.id)).toEqual({
      ...t,
      status: "succeeded",
      exitCode: 0,
      output: "done",
      finishedAt: 7,
    });
    store.close();
  });

  test("several processes opening one new file at once migrate it once and all write", async () => {
    const file = tmp.file("orch.db");
    const n = 4;
    // allSettled: every child is done before we look (and before afterAll deletes the folder).
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        inChild(
          file,
          `for (let j = 0; j < 50; j++) store.events.append({ at: j, kind: "child-${i}", worker: null, task: null, data: {} });
           console.log("ok");`,
        ),
      ),
    );
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : String(r.reason)))).toEqual(
      Array(n).fill("ok"),
    );
    const store = openStore(file);
    expect(store.events.list()).toHaveLength(n * 50);
    store.close();
    const { Database } = await import("bun:sqlite");
    const db = new Database(file, { readonly: true });
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: SCHEMA_VERSION });
    db.close();
  });
});
