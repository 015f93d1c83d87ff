/**
 * Secret masking through the compiled binary: tasks print real-format (fake) secrets in
 * pieces, with pauses so the pieces reach orch in separate %output chunks. None of them may
 * appear in any file under $ORCH_HOME or in any command's output, unless masking is off (for
 * everyone, or for one worker).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import corpus from "../fixtures/secrets/corpus.json";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";

/** A value the controller (so tmux, so every agent) has in a secret-looking variable. */
const ENV_SECRET = "plain-env-value-7f3a9c2e41";

interface Printed {
  kind: string;
  /** What must never show up: the value, or each line of a multi-line value. */
  needles: string[];
  /** The shell task that prints it in pieces. */
  task: string;
}

function shq(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * printf of `text` line by line, each cut in two in the middle of the secret's part with a
 * pause between, so the secret is never typed whole (the task text is stored as sent).
 */
function inPieces(text: string, value: string): string {
  const parts: string[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    const at = line.indexOf(value);
    const cut = at >= 0 ? at + Math.ceil(value.length / 2) : Math.ceil(line.length / 2);
    if (i > 0) parts.push("printf '\\n'");
    parts.push(`printf '%s' ${shq(line.slice(0, cut))}`, "sleep 0.05", `printf '%s' ${shq(line.slice(cut))}`);
  }
  return `${parts.join("; ")}; printf '\\n'`;
}

const printed: Printed[] = corpus.secrets.map((s) => {
  const text = "line" in s && s.line ? s.line.replace("%s", s.value) : s.value;
  // a key block's secret is its body; its BEGIN and END lines are no secret
  const needles = s.value.includes("\n")
    ? s.value.split("\n").filter((l) => !l.startsWith("-----"))
    : [s.value];
  return { kind: s.kind, needles, task: `echo before; ${inPieces(text, s.value)}; echo after` };
});

const ALL_NEEDLES = [...printed.flatMap((p) => p.needles), ENV_SECRET];

/** Every file under `dir`, recursively (sockets and folders left out). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The needles found in the files under `dir`, as "file: needle". */
function leaksIn(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const f of filesUnder(dir)) {
    if (statSync(f).size > 50_000_000) continue;
    const bytes = readFileSync(f).toString("latin1");
    for (const n of needles) if (bytes.includes(Buffer.from(n).toString("latin1"))) found.push(`${f}: ${n}`);
  }
  return found;
}

describe("secret masking (compiled binary)", () => {
  const orch = new OrchHarness("dist", {
    FAKE_SERVICE_TOKEN: ENV_SECRET,
    ORCH_UNMASKED_WORKERS: "raw",
  });
  let project = "";
  const tasks: TaskJson[] = [];
  const outputs: string[] = [];

  beforeAll(async () => {
    project = await orch.startWithWorker("w");
    await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", "raw"]);
    for (const p of printed) {
      const r = await orch.run(["send", "w", p.task, "--wait"]);
      expect(r.code).toBe(0);
      outputs.push(r.stdout, r.stderr);
    }
    const env = await orch.run(["send", "w", 'echo "token is $FAKE_SERVICE_TOKEN"', "--wait"]);
    outputs.push(env.stdout);
    for (const id of (await orch.json<TaskJson[]>(["results"])).map((t) => t.id)) {
      tasks.push(await orch.json<TaskJson>(["task", id]));
    }
  }, 120_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("send --wait prints each secret masked, with the text around it", () => {
    for (const [i, p] of printed.entries()) {
      const out = outputs[i * 2]!;
      expect(out).toContain("before\n");
      expect(out).toContain("after\n");
      expect(out).toContain(`[MASKED:${p.kind}]`);
      for (const n of p.needles) expect(out).not.toContain(n);
    }
    expect(outputs.at(-1)).toBe("token is [MASKED:env]\n");
  });

  test("no secret in any command's output: task, results, logs, capture, events, status", async () => {
    const shown = [
      ...outputs,
      JSON.stringify(tasks),
      await orch.ok(["results", "--json"]),
      await orch.ok(["logs", "w"]),
      await orch.ok(["capture", "w"]),
      await orch.ok(["events", "--json", "--limit", "1000"]),
      await orch.ok(["status", "--json"]),
    ].join("\n");
    expect(shown).toContain("[MASKED:");
    for (const n of ALL_NEEDLES) expect(shown).not.toContain(n);
  });

  test("no secret in any file under ORCH_HOME (store, pane logs, controller log)", async () => {
    // the pane log is written by the filter as the pane prints: wait for the last task's line
    await waitFor(
      "the last task in w's pane log",
      () => readFileSync(join(orch.home, "logs", "w.log"), "utf8").includes("token is [MASKED:env]"),
      10_000,
    );
    expect(leaksIn(orch.home, ALL_NEEDLES)).toEqual([]);
  });

  test("a worker in unmaskedWorkers keeps its output raw, in its log too", async () => {
    const aws = printed.find((p) => p.kind === "aws-access-key")!;
    const r = await orch.run(["send", "raw", aws.task, "--wait"]);
    expect(r.stdout).toContain(aws.needles[0]!);
    await waitFor(
      "the raw worker's log to hold the key",
      () => readFileSync(join(orch.home, "logs", "raw.log"), "utf8").includes(aws.needles[0]!),
      10_000,
    );
    // and the masked worker is still masked
    expect((await orch.run(["send", "w", aws.task, "--wait"])).stdout).toContain("[MASKED:aws-access-key]");
  });
});

describe("masking turned off (compiled binary)", () => {
  const orch = new OrchHarness("dist", { ORCH_MASK: "false" });
  beforeAll(() => orch.startWithWorker("w"), 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  test("output and pane log keep the secret as printed", async () => {
    const gh = printed.find((p) => p.kind === "github")!;
    const r = await orch.run(["send", "w", gh.task, "--wait"]);
    expect(r.stdout).toContain(gh.needles[0]!);
    await waitFor(
      "the log to hold the token",
      () => readFileSync(join(orch.home, "logs", "w.log"), "utf8").includes(gh.needles[0]!),
      10_000,
    );
  });
});
