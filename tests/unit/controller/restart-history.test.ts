import { describe, expect, test } from "bun:test";
import { RestartHistory } from "../../../src/core/controller/restart-history.ts";
import type { OrchEvent } from "../../../src/core/domain/types.ts";

let id = 0;
const ev = (kind: string, worker: string, at: number, data: Record<string, unknown> = {}): OrchEvent => ({
  id: ++id,
  at,
  kind,
  worker,
  task: null,
  data,
});

describe("RestartHistory", () => {
  test("seeded from automatic revives inside the window only", () => {
    const h = new RestartHistory(
      [
        ev("worker.revived", "a", 1_000, { by: "auto" }),
        ev("worker.revived", "a", 9_000, { by: "auto" }),
        ev("worker.revived", "a", 9_500, { by: "limit" }),
        ev("worker.dead", "a", 9_600),
        ev("worker.revived", "b", 9_700, { by: "auto" }),
      ],
      10_000,
      5_000,
    );
    expect(h.recent("a", 0)).toEqual([9_000]);
    expect(h.recent("b", 0)).toEqual([9_700]);
    expect(h.recent("c", 0)).toEqual([]);
  });

  test("a revive by hand starts the count again from it", () => {
    const h = new RestartHistory([
      ev("worker.revived", "a", 1_000, { by: "auto" }),
      ev("worker.revived", "a", 2_000, { by: "hand" }),
      ev("worker.revived", "a", 3_000, { by: "auto" }),
    ]);
    expect(h.recent("a", 0)).toEqual([3_000]);
  });

  test("record, recent since a time, forget", () => {
    const h = new RestartHistory();
    h.record("w", 100);
    h.record("w", 200);
    expect(h.recent("w", 150)).toEqual([200]);
    h.forget("w");
    expect(h.recent("w", 0)).toEqual([]);
  });
});
