/**
 * The whole story of several machines, through the compiled binary against real sshd (each test
 * host in its own network namespace): a workflow fans out over two hosts that carry the label it
 * asks for, the scheduler starts its workers there, one host's link goes down mid-run and comes
 * back, and every task is recorded once with its output, none run twice.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";
import { orchWithHosts } from "../helpers/orch-hosts.ts";
import type { SshHosts } from "../helpers/ssh-hosts.ts";

interface RemoteTask extends TaskJson {
  host: string | null;
}

const PROJECTS = 8;

describe("a workflow across hosts while one of them drops out (compiled binary, real sshd)", () => {
  const orch = new OrchHarness("dist");
  let hosts: SshHosts;

  let stop: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    ({ hosts, stop } = await orchWithHosts(orch, [
      { name: "w1", labels: ["pool=build"] },
      { name: "w2", labels: ["pool=build"] },
    ]));
  }, 120_000);
  afterAll(() => stop(), 60_000);

  test("every task recorded once with its output; workers spread over both hosts; none ran twice", async () => {
    if (!hosts.hosts.get("w1")?.link)
      throw new Error("this test needs network namespaces (run as root with ip)");
    const counts = join(orch.root, "counts");
    const done = join(orch.root, "done");
    mkdirSync(counts);
    mkdirSync(done);
    const projects = Array.from({ length: PROJECTS }, (_, i) => {
      const p = join(orch.root, "src", `p${i}`);
      mkdirSync(p, { recursive: true });
      return p;
    });
    const wf = join(orch.root, "fan.yaml");
    writeFileSync(
      wf,
      [
        "name: fan",
        "defaults: { type: shell, timeout: 120 }",
        "steps:",
        "  - name: build",
        "    labels: { pool: build }",
        `    projects: ${JSON.stringify(projects)}`,
        `    text: "n=$(basename {{ project | shell }}); echo ran >> ${counts}/$n; sleep 6; echo built-$n; touch ${done}/$n"`,
        "",
      ].join("\n"),
    );
    const run = Bun.spawn([...orch.command(), "run", wf], {
      env: orch.childEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      // every task under way (its worker started on one of the hosts), then w1 drops out
      await waitFor("all tasks running", () => readdirSync(counts).length === PROJECTS, 90_000);
      hosts.partition("w1", true);
      try {
        await waitFor(
          "w1 offline",
          async () => (await orch.json<{ state: string }>(["host", "show", "w1"])).state === "offline",
          15_000,
        );
        // the link stays down past the tasks' end: every one finishes (on w1 too) meanwhile
        await waitFor("every task's command finished", () => readdirSync(done).length === PROJECTS, 60_000);
      } finally {
        hosts.partition("w1", false);
      }
      const [code, stderr] = await Promise.all([run.exited, new Response(run.stderr).text()]);
      expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
    } finally {
      run.kill();
    }
    const runId = (await orch.json<Array<{ id: string }>>(["runs"]))[0]!.id;
    const tasks = await orch.json<RemoteTask[]>(["results", "--run", runId]);
    expect(tasks).toHaveLength(PROJECTS);
    expect(tasks.map((t) => [t.status, t.attempts])).toEqual(tasks.map(() => ["succeeded", 1]));
    expect(tasks.map((t) => t.output).sort()).toEqual(projects.map((_, i) => `built-p${i}\n`).sort());
    expect(new Set(tasks.map((t) => t.host))).toEqual(new Set(["w1", "w2"]));
    for (let i = 0; i < PROJECTS; i++) expect(readFileSync(join(counts, `p${i}`), "utf8")).toBe("ran\n");
  }, 240_000);
});
