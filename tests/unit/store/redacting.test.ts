import { expect, test } from "bun:test";
import { openStore, type Redactor } from "../../../src/core/store/index.ts";
import { makeTask } from "./helpers.ts";

/** Masks "s3cret" for everyone but the worker "raw". */
const redact: Redactor = { text: (worker, s) => (worker === "raw" ? s : s.replaceAll("s3cret", "[M]")) };

test("the store masks output, errors, result meta and event data, but keeps task text and unmasked workers' output", () => {
  const store = openStore(":memory:", { redact });
  store.tasks.insert(makeTask({ id: "t1", worker: "w", text: "echo s3cret" }));
  store.tasks.insert(makeTask({ id: "t2", worker: "raw", text: "echo s3cret" }));
  const done = store.tasks.update("t1", {
    output: "x s3cret y",
    error: "s3cret!",
    result: { text: ["s3cret"] } as never,
  });
  expect(done?.output).toBe("x [M] y");
  expect(done?.error).toBe("[M]!");
  expect(done?.result).toEqual({ text: ["[M]"] } as never);
  expect(done?.text).toBe("echo s3cret");
  expect(store.tasks.update("t2", { output: "s3cret" })?.output).toBe("s3cret");
  expect(
    store.events.append({ at: 1, kind: "k", worker: "w", task: null, data: { a: { b: "s3cret" } } }).data,
  ).toEqual({
    a: { b: "[M]" },
  });
  store.close();
});

test("a caller that names the task's worker spares the read, and that worker's rule applies", () => {
  const store = openStore(":memory:", { redact });
  store.tasks.insert(makeTask({ id: "t1", worker: "raw", text: "x" }));
  store.tasks.insert(makeTask({ id: "t2", worker: "w", text: "x" }));
  expect(store.tasks.update("t1", { output: "s3cret" }, "raw")?.output).toBe("s3cret");
  expect(store.tasks.update("t2", { output: "s3cret" }, "w")?.output).toBe("[M]");
  // the patch's own worker wins over the hint (a pool task handed to a worker in this write)
  expect(store.tasks.update("t1", { output: "s3cret", worker: "w" }, "raw")?.output).toBe("[M]");
  store.close();
});

test("set masks like update: text fields by the task's worker, a status change as it is", () => {
  const store = openStore(":memory:", { redact });
  store.tasks.insert(makeTask({ id: "t1", worker: "w", text: "x" }));
  store.tasks.insert(makeTask({ id: "t2", worker: "raw", text: "x" }));
  expect(store.tasks.set("t1", { output: "a s3cret", error: "s3cret" })).toBe(true);
  expect(store.tasks.get("t1")).toMatchObject({ output: "a [M]", error: "[M]" });
  expect(store.tasks.set("t2", { output: "s3cret" })).toBe(true);
  expect(store.tasks.get("t2")?.output).toBe("s3cret");
  expect(store.tasks.set("t1", { output: "s3cret" }, "raw")).toBe(true);
  expect(store.tasks.get("t1")?.output).toBe("s3cret");
  expect(store.tasks.set("t1", { status: "running" })).toBe(true);
  expect(store.tasks.get("t1")?.status).toBe("running");
  store.close();
});
