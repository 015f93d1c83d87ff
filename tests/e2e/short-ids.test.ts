import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

/** The rows of a table orch printed (from its header line on): header word -> cell, split on 2+ spaces. */
function table(text: string): Array<Record<string, string>> {
  const lines = text.trimEnd().split("\n");
  const [head, ...rows] = lines.slice(lines.findIndex((l) => /^[A-Z]+ {2}/.test(l)));
  const cols = head!.split(/\s{2,}/);
  return rows.map((r) => Object.fromEntries(r.split(/\s{2,}/).map((cell, n) => [cols[n] ?? `#${n}`, cell])));
}

/** The longest beginning all of `ids` share, without a dash at its end. */
function common(ids: string[]): string {
  let n = 0;
  while (ids.every((id) => id[n] === ids[0]![n])) n++;
  return ids[0]!.slice(0, n).replace(/-$/, "");
}

describe("short task and run ids (the compiled binary)", () => {
  const orch = new OrchHarness("dist", { ORCH_AUTO_WORKERS: "3" });
  let ids: string[] = [];
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("three tasks sent in quick succession show three distinct short ids, each taken by orch task", async () => {
    ids = [];
    // a UUIDv7's first 8 hex digits change every 65,536 ms: not within 5 s of such a change,
    // or the three would not share them (what the old tables showed) by chance, not by design
    const left = 65_536 - (Date.now() % 65_536);
    if (left < 5000) await Bun.sleep(left + 50);
    for (const n of ["one", "two", "three"]) ids.push((await orch.ok(["send", "w", `echo ${n}`])).trim());
    for (const id of ids) await orch.waitTask(id);
    // what tables showed before, the first 8 hex digits (the clock), is the same for all three
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);

    const rows = table(await orch.ok(["results"]));
    expect(rows).toHaveLength(3);
    const shown = rows.map((r) => r.ID!);
    expect(new Set(shown).size).toBe(3);
    for (const [n, s] of shown.entries()) {
      const full = ids[n]!;
      expect(rows[n]!.TEXT).toBe(`echo ${["one", "two", "three"][n]}`);
      expect(full.startsWith(s)).toBe(true);
      const text = await orch.run(["task", s]);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`id:        ${full}\n`);
      const json = JSON.parse(await orch.ok(["task", s, "--json"])) as TaskJson;
      expect(json.id).toBe(full);
      // typed without dashes, in capitals
      const typed = JSON.parse(
        await orch.ok(["task", s.replaceAll("-", "").toUpperCase(), "--json"]),
      ) as TaskJson;
      expect(typed.id).toBe(full);
    }
    // results --json carries the short ids (the newest task's may have lost its counter digits since)
    const listed = await orch.json<Array<TaskJson & { shortId: string }>>(["results"]);
    expect(listed.map((t) => t.id)).toEqual(ids);
    for (const [n, t] of listed.entries()) expect(shown[n]!.startsWith(t.shortId)).toBe(true);
    expect(new Set(listed.map((t) => t.shortId)).size).toBe(3);
  }, 60_000);

  test("an ambiguous prefix exits 2 and names the matching tasks; unknown and malformed ones exit 2", async () => {
    const prefix = common(ids);
    expect(prefix.replaceAll("-", "").length).toBeGreaterThanOrEqual(4);
    for (const cmd of [
      ["task", prefix],
      ["cancel", prefix],
      ["task", prefix, "--json"],
    ]) {
      const r = await orch.run(cmd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`task "${prefix}" is ambiguous: 3 tasks start with it`);
      for (const id of ids) expect(r.stderr).toContain(id);
    }
    const unknown = await orch.run(["task", "ffff0000"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown task "ffff0000"/);
    const bad = await orch.run(["task", "01a;x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('task id "01a;x": expected hex digits');
  }, 30_000);

  test("status shows a running task's short id, and orch cancel takes it", async () => {
    const id = (await orch.ok(["send", "w", "sleep 30"])).trim();
    const row = await waitFor("w running the sleep", async () =>
      table(await orch.ok(["status"])).find((r) => r.NAME === "w" && r.STATE === "running"),
    );
    expect(id.startsWith(row.TASK!)).toBe(true);
    expect(row.TASK!.length).toBeLessThan(id.length);
    const r = await orch.run(["cancel", row.TASK!]);
    expect(r).toMatchObject({ code: 0, stdout: `${id} cancelled\n` });
  }, 30_000);

  test("a workflow's fan-out tasks and its run: short ids in results --run and runs, each taken back", async () => {
    for (const p of ["a", "b", "c"]) orch.project(p);
    const wf = join(orch.project("wf"), "fan.yaml");
    writeFileSync(
      wf,
      "name: fan\ndefaults: { type: shell, timeout: 30 }\nsteps:\n  - name: each\n    projects: [../a, ../b, ../c]\n    text: basename {{ project }}\n",
    );
    expect((await orch.run(["run", wf], 60_000)).code).toBe(0);
    const runs = table(await orch.ok(["runs"]));
    expect(runs).toHaveLength(1);
    const run = runs[0]!.ID!;
    expect(run).toHaveLength(8);
    expect(await orch.ok(["report", run])).toContain("fan");

    const rows = table(await orch.ok(["results", "--run", run]));
    expect(rows).toHaveLength(3);
    const tasks = await orch.json<TaskJson[]>(["results", "--run", run]);
    const shown = rows.map((r) => r.ID!);
    expect(new Set(shown).size).toBe(3);
    // made in one go: when they share a millisecond, their short ids go past the clock
    if (new Set(tasks.map((t) => t.id.slice(0, 13))).size < 3)
      expect(shown.some((s) => s.length > 13)).toBe(true);
    for (const [n, s] of shown.entries()) {
      const t = JSON.parse(await orch.ok(["task", s, "--json"])) as TaskJson;
      expect(t.id).toBe(tasks[n]!.id);
    }
  }, 90_000);
});
