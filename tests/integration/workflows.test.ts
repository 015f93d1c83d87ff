import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, waitFor } from "../helpers/orch-harness.ts";

interface RunView {
  run: { id: string; status: string };
  steps: Array<{
    name: string;
    status: string;
    reason: string | null;
    tasks: Array<{ id: string; status: string }>;
  }>;
}

describe("workflow runs", () => {
  const orch = new OrchHarness("dist", { ORCH_AUTO_WORKERS: "3" });
  let a = "";
  let b = "";
  let wf = "";
  beforeAll(async () => {
    await orch.ok(["start"]);
    a = orch.project("a");
    b = orch.project("b");
    wf = orch.project("wf");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  const write = (name: string, text: string) => {
    const f = join(wf, name);
    writeFileSync(f, text);
    return f;
  };

  test("needs, fan-out over projects, outputs in later steps, skips with a reason; exit 1 when a step failed", async () => {
    const f = write(
      "ci.yaml",
      `name: ci
defaults: { type: shell, timeout: 30, retries: 0 }
steps:
  - name: build
    projects: [../a, ../b]
    text: "basename {{ project }}"
  - name: report
    needs: build
    text: "printf '%s\\n' {{ steps.build.output | shell }} | sort | tr '\\\\n' ,"
  - name: broken
    text: "exit 4"
  - name: after-broken
    needs: [broken]
    text: "echo never"
`,
    );
    const r = await orch.run(["run", f], 60_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("step after-broken skipped: needs broken, which failed");
    const view = (await orch.api<RunView>("GET", "/v1/runs/last")).body;
    const steps = Object.fromEntries(view.steps.map((s) => [s.name, s]));
    expect(view.run.status).toBe("failed");
    expect(steps.build?.status).toBe("succeeded");
    expect(steps.build?.tasks.length).toBe(2);
    expect(steps.report?.status).toBe("succeeded");
    expect(steps.broken?.status).toBe("failed");
    expect(steps["after-broken"]?.status).toBe("skipped");
    const report = steps.report!.tasks[0]!.id;
    const t = (await orch.api<{ output: string }>("GET", `/v1/tasks/${report}`)).body;
    expect(t.output).toBe("a,b,");
  }, 90_000);

  test("reports: md, json and a self-contained html with a timeline", async () => {
    const md = await orch.ok(["report", "last"]);
    expect(md).toContain("# Run report: ci");
    const json = JSON.parse(await orch.ok(["report", "last", "--format", "json"])) as {
      run: { status: string };
      tasks: unknown[];
    };
    expect(json.run.status).toBe("failed");
    expect(json.tasks.length).toBe(4);
    const out = join(orch.root, "report.html");
    await orch.ok(["report", "last", "--format", "html", "-o", out]);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  }, 30_000);

  test("a bad workflow is refused with exit 2, naming file, line and path, and nothing runs", async () => {
    const before = (await orch.api<unknown[]>("GET", "/v1/runs")).body.length;
    const cases: Array<[string, string, RegExp]> = [
      ["syntax.yaml", "steps:\n  - name: x\n    text: [unclosed\n", /syntax\.yaml:\d+:\d+/],
      [
        "unknown-key.yaml",
        "steps:\n  - name: x\n    text: echo\n    colour: red\n",
        /unknown-key\.yaml:4:5: steps\[0\]/,
      ],
      [
        "cycle.yaml",
        "steps:\n  - {name: a, text: echo, needs: [b]}\n  - {name: b, text: echo, needs: [a]}\n",
        /dependency cycle: a -> b -> a/,
      ],
      ["missing.yaml", "steps:\n  - {name: a, text: echo, needs: [bild]}\n", /unknown step "bild"/],
      ["prio.yaml", "steps:\n  - {name: a, text: echo, priority: urgent}\n", /steps\[0\]\.priority/],
      [
        "type.yaml",
        "steps:\n  - {name: a, text: echo, type: nosuch}\n",
        /steps\[0\]\.type: unknown type "nosuch"/,
      ],
      [
        "project.yaml",
        "steps:\n  - {name: a, text: echo, project: ./does-not-exist}\n",
        /steps\[0\]\.projects\[0\]: project directory .* does not exist/,
      ],
    ];
    for (const [name, text, want] of cases) {
      const r = await orch.run(["run", write(name, text)]);
      expect({ name, code: r.code }).toEqual({ name, code: 2 });
      expect(r.stderr).toMatch(want);
    }
    const none = await orch.run(["run", join(wf, "nope.yaml")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("does not exist");
    expect((await orch.api<unknown[]>("GET", "/v1/runs")).body.length).toBe(before);
  }, 60_000);

  test("orch run --projects DIR... -- COMMAND runs the command in each project (JSON Lines with --json)", async () => {
    const r = await orch.run(["run", "--json", "--projects", a, b, "--", "pwd > where.txt"], 60_000);
    expect(r.code).toBe(0);
    expect(readFileSync(join(a, "where.txt"), "utf8")).toBe(`${a}\n`);
    expect(readFileSync(join(b, "where.txt"), "utf8")).toBe(`${b}\n`);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; status?: string });
    expect(events.at(-1)).toMatchObject({ event: "run", status: "succeeded" });
    expect(events.filter((e) => e.event === "task" && e.status === "succeeded").length).toBe(2);
  }, 60_000);

  test("Ctrl-C cancels queued tasks, interrupts running ones, says what it left, exits 130", async () => {
    const f = write(
      "slow.yaml",
      `steps:
  - name: slow
    projects: [../a]
    text: "sleep 30"
  - name: later
    needs: [slow]
    text: "echo later"
`,
    );
    const p = Bun.spawn([...orch.command(), "run", f], {
      env: orch.childEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    const runId = await waitFor("the slow task to run", async () => {
      const v = (await orch.api<RunView>("GET", "/v1/runs/last")).body;
      return v.steps[0]?.tasks[0]?.status === "running" ? v.run.id : null;
    });
    p.kill("SIGINT");
    const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    expect(code).toBe(130);
    expect(err).toMatch(
      /cancelled: 0 queued task\(s\) cancelled, 1 running task\(s\) interrupted, 1 step\(s\) not started/,
    );
    const v = (await orch.api<RunView>("GET", `/v1/runs/${runId}`)).body;
    expect(v.run.status).toBe("cancelled");
    expect(v.steps.map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
  }, 60_000);

  test("a run survives a controller restart: it continues, and nothing that finished runs again", async () => {
    const gate = join(a, "gate");
    const f = write(
      "restart.yaml",
      `steps:
  - name: first
    project: ../a
    text: "echo once >> first.txt"
  - name: held
    needs: [first]
    project: ../a
    text: "while [ ! -f gate ]; do sleep 0.05; done; echo held done"
  - name: last
    needs: [held]
    project: ../a
    text: "echo last >> last.txt"
`,
    );
    const id = (await orch.ok(["run", "--detach", f])).trim();
    await waitFor("the held step to run", async () => {
      const v = (await orch.api<RunView>("GET", `/v1/runs/${id}`)).body;
      return v.steps[1]?.tasks[0]?.status === "running";
    });
    await orch.ok(["stop"]);
    writeFileSync(gate, "");
    await orch.ok(["start"]);
    const v = await waitFor(
      "the run to finish after the restart",
      async () => {
        const r = (await orch.api<RunView>("GET", `/v1/runs/${id}`)).body;
        return r.run.status !== "running" ? r : null;
      },
      60_000,
    );
    expect(v.run.status).toBe("succeeded");
    expect(readFileSync(join(a, "first.txt"), "utf8")).toBe("once\n");
    expect(readFileSync(join(a, "last.txt"), "utf8")).toBe("last\n");
  }, 120_000);

  test("backup while running, export-state, and restore after a stop", async () => {
    const backup = join(orch.root, "orch-backup.db");
    expect((await orch.run(["backup", backup])).code).toBe(0);
    const state = JSON.parse(await orch.ok(["export-state"])) as {
      tasks: unknown[];
      workers: unknown[];
      runs: unknown[];
    };
    expect(state.runs.length).toBeGreaterThanOrEqual(4);
    const stateFile = join(orch.root, "state.json");
    await orch.ok(["export-state", stateFile]);
    expect(existsSync(stateFile)).toBe(true);
    const refused = await orch.run(["restore", backup]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("stop it first");
    // a task after the backup, then back to the backup
    await orch.ok(["submit", "--project", a, "--wait", "--", "echo after-backup"]);
    await orch.ok(["stop"]);
    const restored = await orch.run(["restore", backup]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain("previous store is kept as");
    const bad = await orch.run(["restore", stateFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("is not an orch store");
    await orch.ok(["start"]);
    const tasks = (await orch.api<Array<{ text: string }>>("GET", "/v1/tasks")).body;
    expect(tasks.length).toBe(state.tasks.length);
    expect(tasks.some((t) => t.text === "echo after-backup")).toBe(false);
  }, 120_000);
});

describe("a 10,000-step workflow within the limits", () => {
  const orch = new OrchHarness("dist", { ORCH_AUTO_WORKERS: "4" });
  afterAll(() => orch.cleanup(), 30_000);

  test("is accepted and runs every step once", async () => {
    await orch.ok(["start"]);
    const p = orch.project("big");
    const lines = ["name: big", "defaults: { type: shell, retries: 0, project: . }", "steps:"];
    for (let i = 0; i < 10_000; i++) lines.push(`  - name: s${i}`, `    text: "echo ${i}"`);
    const f = join(p, "big.yaml");
    writeFileSync(f, `${lines.join("\n")}\n`);
    const id = (await orch.ok(["run", "--detach", f], 120_000)).trim();
    const v = await waitFor(
      "the 10,000-step run to finish",
      async () => {
        const r = (await orch.api<RunView>("GET", `/v1/runs/${id}?wait=5000&since=1000000000`)).body;
        return r.run.status !== "running" ? r : null;
      },
      480_000,
    );
    expect(v.run.status).toBe("succeeded");
    expect(v.steps.length).toBe(10_000);
    expect(v.steps.every((s) => s.status === "succeeded" && s.tasks.length === 1)).toBe(true);
  }, 600_000);
});
