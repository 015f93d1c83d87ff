/**
 * Workers on hosts reached over OpenSSH, through the compiled binary against real sshd (each
 * test host in its own network namespace, tests/helpers/ssh-hosts.ts): tasks on two hosts and
 * this machine at once with byte-exact output and exit codes; hostile names and text quoted
 * exactly; pane logs masked on the host before they are written; capture, logs and kill-worker;
 * a host taken offline leaves its workers and their tasks alone and they go on once it is back;
 * a controller killed with -9 mid-task records the remote task once after `orch start`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OrchHarness, type TaskJson, waitFor } from "../helpers/orch-harness.ts";
import { orchWithHosts } from "../helpers/orch-hosts.ts";
import type { SshHosts } from "../helpers/ssh-hosts.ts";

interface RemoteTask extends TaskJson {
  host: string | null;
}

/** The hostile-input corpus the local path is tested with (tests/integration/hostile-input.test.ts). */
const CORPUS = (
  JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/hostile/corpus.json"), "utf8")) as {
    entries: Array<{ name: string; text: string; expect: string; arrives?: string }>;
  }
).entries.filter((e) => e.expect !== "refused");
const TAG = "ORCH_END_7f3";

describe("workers on hosts over OpenSSH (compiled binary, real sshd)", () => {
  // resource limits sampled every second: a host's workers are read from the host's /proc
  const orch = new OrchHarness("dist", {
    ORCH_HEALTH_CHECK_INTERVAL: "1",
    ORCH_MAX_WORKER_MEMORY_MB: "150",
    ORCH_MEMORY_POLICY: "warn",
    // pane logs rotated past 64 KB (on each host too)
    ORCH_PANE_LOG_MAX_BYTES: "65536",
  });
  let hosts: SshHosts;
  const project = join(orch.root, "proj dir 'x'");

  let stop: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    mkdirSync(project, { recursive: true });
    ({ hosts, stop } = await orchWithHosts(orch, [
      { name: "h1", labels: ["zone=a"] },
      { name: "h2", labels: ["zone=b"] },
    ]));
  }, 120_000);
  afterAll(() => stop(), 60_000);

  /** Every file under a host's home whose path ends with `suffix`. */
  const hostFiles = (host: string, suffix: string): string[] => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of existsSync(d) ? readdirSync(d, { withFileTypes: true }) : []) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(suffix)) out.push(p);
      }
    };
    walk(join(hosts.hosts.get(host)!.dir, "home"));
    return out;
  };

  test("workers on two hosts and here run tasks at once: byte-exact output, exit codes, host in JSON", async () => {
    const added = await Promise.all([
      orch.json<{ name: string; host: string }>([
        "add-worker",
        "--type",
        "shell",
        "--project",
        project,
        "--host",
        "h1",
        "--name",
        "r1",
      ]),
      orch.json<{ name: string; host: string }>([
        "add-worker",
        "--type",
        "shell",
        "--project",
        project,
        "--host",
        "h2",
        "--name",
        "r2",
      ]),
      orch.json<{ name: string; host: string }>([
        "add-worker",
        "--type",
        "shell",
        "--project",
        project,
        "--name",
        "l1",
      ]),
    ]);
    expect(added.map((w) => [w.name, w.host])).toEqual([
      ["r1", "h1"],
      ["r2", "h2"],
      ["l1", "local"],
    ]);
    // quotes, $, backslashes, a tab, UTF-8 and a line that looks like a marker
    const text = `printf '%s\\n' "it's \\$HOME \\\\ \\\`x\\\`" 'tab\there' 'ünï ✓' '---END-OF-OUTPUT-x-0---'; pwd; exit 3`;
    const done = await Promise.all(
      ["r1", "r2", "l1"].map((w) => orch.sendWait(w, text) as Promise<RemoteTask>),
    );
    for (const t of done) {
      expect({ worker: t.worker, status: t.status, exitCode: t.exitCode }).toEqual({
        worker: t.worker,
        status: "failed",
        exitCode: 3,
      });
      expect(t.output).toBe(`it's $HOME \\ \`x\`\ntab\there\nünï ✓\n---END-OF-OUTPUT-x-0---\n${project}\n`);
    }
    expect(done.map((t) => t.host)).toEqual(["h1", "h2", "local"]);
    const st = await orch.json<{ workers: Array<{ name: string; host: string; state: string }> }>(["status"]);
    expect(st.workers.map((w) => [w.name, w.host, w.state]).sort()).toEqual([
      ["l1", "local", "idle"],
      ["r1", "h1", "idle"],
      ["r2", "h2", "idle"],
    ]);
    expect(await orch.ok(["status"])).toMatch(/r1\s+shell\s+h1\s+idle/);
  }, 120_000);

  test("the hostile corpus arrives byte for byte on a host's worker; a hostile project path is quoted exactly", async () => {
    const canary = join(orch.root, "canary");
    const fill = (t: string) => t.replaceAll("{CANARY}", canary);
    const dir = join(orch.root, `p $(touch ${canary}) #{pane_id} ;x \`touch ${canary}\``);
    mkdirSync(dir, { recursive: true });
    await orch.ok(["add-worker", "--type", "shell", "--project", dir, "--host", "h1", "--name", "hx"]);
    expect((await orch.sendWait("hx", "pwd")).output).toBe(`${dir}\n`);
    for (const e of CORPUS) {
      const t = await orch.sendWait("hx", `cat <<'${TAG}'\n${fill(e.text)}\n${TAG}`);
      expect({ name: e.name, status: t.status, output: t.output }).toEqual({
        name: e.name,
        status: "succeeded",
        output: `${e.expect === "normalized" ? e.arrives! : fill(e.text)}\n`,
      });
    }
    expect(existsSync(canary)).toBe(false);
    await orch.ok(["kill-worker", "hx"]);
  }, 120_000);

  test("a remote pane log is masked on the host before it is written; logs and capture work", async () => {
    const secret = `ghp_${"A1b2C3d4E5".repeat(4)}`;
    const t = await orch.sendWait("r1", `echo "token ${secret}"`);
    expect(t.status).toBe("succeeded");
    const [log] = hostFiles("h1", "/logs/r1.log");
    if (!log) throw new Error("no pane log of r1 on h1");
    await waitFor("the token line in h1's log", () => readFileSync(log, "utf8").includes("token "), 10_000);
    expect(readFileSync(log, "utf8")).not.toContain(secret);
    const logs = await orch.ok(["logs", "r1"]);
    expect(logs).toContain("token ");
    expect(logs).not.toContain(secret);
    const screen = await orch.ok(["capture", "r1"]);
    expect(screen).toContain("token ");
    expect(screen).not.toContain(secret);
  }, 60_000);

  test("submit --host/--label and a workflow's host:/labels: each task runs where it asked, workers started there", async () => {
    const sub = JSON.parse(
      await orch.ok([
        "submit",
        "--host",
        "h1",
        "--project",
        project,
        "--wait",
        "--json",
        "--",
        "echo pinned",
      ]),
    ) as RemoteTask;
    expect({ output: sub.output, host: sub.host, worker: sub.worker }).toEqual({
      output: "pinned\n",
      host: "h1",
      worker: "r1",
    });
    const other = join(orch.root, "other project");
    mkdirSync(other, { recursive: true });
    const wf = join(orch.root, "across.yaml");
    writeFileSync(
      wf,
      [
        "name: across",
        "defaults: { type: shell, timeout: 60 }",
        "steps:",
        "  - name: a",
        "    host: h1",
        `    project: ${JSON.stringify(project)}`,
        "    text: echo a",
        "  - name: b",
        "    labels: { zone: b }",
        `    project: ${JSON.stringify(other)}`,
        "    text: echo b",
        "  - name: c",
        "    needs: [a, b]",
        "    host: local",
        `    project: ${JSON.stringify(project)}`,
        '    text: echo "{{ steps.a.output | trim }}{{ steps.b.output | trim }}"',
        "",
      ].join("\n"),
    );
    const run = await orch.run(["run", wf], 90_000);
    expect(run.code).toBe(0);
    const runId = (await orch.json<Array<{ id: string }>>(["runs"]))[0]!.id;
    const tasks = await orch.json<RemoteTask[]>(["results", "--run", runId]);
    const byOutput = Object.fromEntries(tasks.map((t) => [t.output, t]));
    expect(byOutput["a\n"]?.host).toBe("h1");
    expect(byOutput["b\n"]?.host).toBe("h2");
    expect(byOutput["ab\n"]?.host).toBe("local");
    // no worker was in the other project: the scheduler started one on h2, the host with zone=b
    const st = await orch.json<{ workers: Array<{ host: string; project: string }> }>(["status"]);
    expect(st.workers.filter((w) => w.project === other).map((w) => w.host)).toEqual(["h2"]);
  }, 120_000);

  test("a memory limit holds for a worker on a host: its process tree is read from the host's /proc", async () => {
    const hog = await orch.api<RemoteTask>("POST", "/v1/tasks", {
      worker: "r1",
      text: `perl -e '$x = "a" x (300 * 1024 * 1024); sleep 6'`,
      timeoutSec: 60,
    });
    const over = await waitFor(
      "a memory limit event for r1",
      async () => {
        const evs = (
          await orch.api<Array<{ kind: string; worker: string; data: { limit?: string } }>>(
            "GET",
            "/v1/events?limit=500",
          )
        ).body;
        return evs.find((e) => e.kind === "worker.limit" && e.worker === "r1" && e.data.limit === "memory");
      },
      20_000,
    );
    expect(over).toBeTruthy();
    const t = await orch.waitTask(hog.body.id, 30_000);
    expect(t.status).toBe("succeeded");
  }, 60_000);

  test("attach to a worker on a host opens its pane there over ssh -t; detaching comes back", async () => {
    const [sock] = hosts.tmuxSockets("h1");
    if (!sock) throw new Error("no tmux socket of orch's on h1");
    const terminals = () =>
      spawnSync(
        "tmux",
        ["-S", sock, "list-clients", "-F", "#{client_control_mode} #{client_tty} #{pane_id}"],
        {
          encoding: "utf8",
        },
      )
        .stdout.split("\n")
        .filter((l) => l.startsWith("0 "));
    const pane = (
      await orch.json<{ workers: Array<{ name: string; paneId: string }> }>(["status"])
    ).workers.find((w) => w.name === "r1")!.paneId;
    // script(1) gives orch attach the terminal it needs
    const cmd = orch
      .command()
      .map((a) => `'${a}'`)
      .join(" ");
    const p = Bun.spawn(["script", "-qec", `${cmd} attach r1`, "/dev/null"], {
      env: orch.childEnv({ TERM: "xterm" }),
      stdin: "pipe",
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      const [client] = await waitFor(
        "a terminal attached to orch's tmux on h1",
        () => {
          const t = terminals();
          return t.length ? t : null;
        },
        20_000,
      );
      const [, tty, at] = client!.split(" ");
      expect(at).toBe(pane);
      spawnSync("tmux", ["-S", sock, "detach-client", "-t", tty!]);
      expect(await p.exited).toBe(0);
    } finally {
      p.kill();
    }
  }, 60_000);

  test("a host's pane log is rotated there past paneLogMaxBytes; logs follows the new one", async () => {
    const big = await orch.sendWait("r1", "head -c 100000 /dev/zero | tr '\\0' x; echo");
    expect(big.status).toBe("succeeded");
    const [old] = await waitFor(
      "r1.log.1 on h1",
      () => {
        const f = hostFiles("h1", "/logs/r1.log.1");
        return f.length === 1 ? f : null;
      },
      20_000,
    );
    const log = old!.slice(0, -".1".length);
    await waitFor(
      "a new, small r1.log on h1",
      () => existsSync(log) && readFileSync(log, "utf8").length < 65536,
      10_000,
    );
    expect((await orch.sendWait("r1", "echo after-rotation")).output).toBe("after-rotation\n");
    await waitFor("the new log has it", () => readFileSync(log, "utf8").includes("after-rotation"), 10_000);
    expect(await orch.ok(["logs", "r1"])).toContain("after-rotation");
  }, 60_000);

  test("add-worker --host: an unknown host, a relative or missing project are refused naming the value", async () => {
    const cases: Array<[string[], number, string]> = [
      [["--host", "nope", "--project", project], 2, '"nope"'],
      [["--host", "h1", "--project", "rel/dir"], 2, "rel/dir"],
      [["--host", "h1", "--project", "/no/such/dir"], 2, "/no/such/dir"],
    ];
    for (const [args, code, named] of cases) {
      const r = await orch.run(["add-worker", "--type", "shell", ...args]);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toContain(named);
    }
  }, 60_000);

  test("a host taken offline for 30 s leaves its workers and tasks alone; they go on once it is back", async () => {
    if (!hosts.hosts.get("h2")?.link)
      throw new Error("this test needs network namespaces (run as root with ip)");
    await orch.ok(["add-worker", "--type", "shell", "--project", project, "--host", "h2", "--name", "gone"]);
    const running = await orch.api<RemoteTask>("POST", "/v1/tasks", {
      worker: "r2",
      text: "sleep 4; echo slept",
    });
    await waitFor(
      "r2 on its task",
      async () =>
        (await orch.api<RemoteTask>("GET", `/v1/tasks/${running.body.id}`)).body.status === "running",
      10_000,
    );
    hosts.partition("h2", true);
    const down = Date.now();
    try {
      await waitFor(
        "h2 offline",
        async () => (await orch.json<{ state: string }>(["host", "show", "h2"])).state === "offline",
        10_000,
      );
      const health = await orch.run(["health-check", "--json"]);
      const r2 = (JSON.parse(health.stdout) as Array<{ worker: string; verdict: string }>).find(
        (h) => h.worker === "r2",
      );
      expect(r2?.verdict).toBe("unreachable");
      // work here and on h1 goes on meanwhile
      expect((await orch.sendWait("r1", "echo still")).output).toBe("still\n");
      const st = await orch.json<{ workers: Array<{ name: string; state: string }> }>(["status"]);
      expect(st.workers.find((w) => w.name === "r2")?.state).not.toBe("dead");
      // a worker killed while its host is away: removed now, its window closed once it is back
      await orch.ok(["kill-worker", "gone"]);
      // the outage the issue names lasts 30 s: the channel's ssh gives up and the host's sshd
      // still holds the old session when the link is back (the task ends meanwhile)
      await Bun.sleep(Math.max(0, down + 30_000 - Date.now()));
    } finally {
      hosts.partition("h2", false);
    }
    const [sock] = hosts.tmuxSockets("h2");
    await waitFor(
      "the killed worker's window closed on h2",
      () =>
        !spawnSync("tmux", ["-S", sock!, "list-windows", "-a", "-F", "#{window_name}"], {
          encoding: "utf8",
        }).stdout.includes("shell-gone"),
      30_000,
    );
    const t = await orch.waitTask(running.body.id, 60_000);
    expect({ status: t.status, output: t.output, attempts: t.attempts }).toEqual({
      status: "succeeded",
      output: "slept\n",
      attempts: 1,
    });
    expect((await orch.sendWait("r2", "echo back")).output).toBe("back\n");
  }, 150_000);

  test("kill -9 of the controller while a remote task runs: after start it is recorded once", async () => {
    const marker = join(orch.root, "ran-count");
    const sent = await orch.api<RemoteTask>("POST", "/v1/tasks", {
      worker: "r1",
      text: `echo x >> '${marker}'; sleep 3; echo finished`,
    });
    await waitFor(
      "the task running on r1",
      async () => (await orch.api<RemoteTask>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
      10_000,
    );
    const pid = orch.controllerPid();
    if (!pid) throw new Error("no controller pid");
    process.kill(pid, "SIGKILL");
    await waitFor("the controller gone", () => spawnSync("kill", ["-0", String(pid)]).status !== 0, 5000);
    await orch.ok(["start"]);
    const t = await orch.waitTask(sent.body.id, 60_000);
    expect({ status: t.status, output: t.output, attempts: t.attempts }).toEqual({
      status: "succeeded",
      output: "finished\n",
      attempts: 1,
    });
    expect(readFileSync(marker, "utf8")).toBe("x\n");
    expect((await orch.sendWait("r1", "echo after")).output).toBe("after\n");
  }, 120_000);

  test("the ssh client of a host's channel killed mid-task: it reconnects, the task is recorded once", async () => {
    const pid = orch.controllerPid()!;
    const channel = () =>
      readdirSync("/proc")
        .filter((n) => /^\d+$/.test(n))
        .map(Number)
        .find((p) => {
          try {
            const stat = readFileSync(`/proc/${p}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
            return (
              ppid === pid && cmd.startsWith("ssh") && cmd.includes("new-session") && cmd.includes("\0h1\0")
            );
          } catch {
            return false;
          }
        });
    const before = channel();
    if (!before) throw new Error("no ssh client of h1's channel under the controller");
    const sent = await orch.api<RemoteTask>("POST", "/v1/tasks", {
      worker: "r1",
      text: "sleep 2; echo through",
    });
    await waitFor(
      "r1 on its task",
      async () => (await orch.api<RemoteTask>("GET", `/v1/tasks/${sent.body.id}`)).body.status === "running",
      10_000,
    );
    process.kill(before, "SIGKILL");
    const t = await orch.waitTask(sent.body.id, 60_000);
    expect({ status: t.status, output: t.output, attempts: t.attempts }).toEqual({
      status: "succeeded",
      output: "through\n",
      attempts: 1,
    });
    const after = await waitFor(
      "a new channel to h1",
      () => {
        const p = channel();
        return p && p !== before ? p : null;
      },
      20_000,
    );
    expect(after).not.toBe(before);
    expect((await orch.sendWait("r1", "echo again")).output).toBe("again\n");
  }, 90_000);

  test("kill-worker closes the remote window; host remove then leaves nothing of orch's on the host", async () => {
    await orch.ok(["kill-worker", "r2"]);
    const [sock] = hosts.tmuxSockets("h2");
    if (!sock) throw new Error("no tmux socket of orch's on h2");
    const windows = spawnSync("tmux", ["-S", sock, "list-windows", "-a", "-F", "#{window_name}"], {
      encoding: "utf8",
    });
    expect(windows.stdout).not.toContain("shell-r2");
    // refused while workers live there (the one the workflow started too)
    const refused = await orch.run(["host", "remove", "h2"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("live worker");
    expect(refused.stderr).toContain("host remove h2 --kill-workers");
    const st = await orch.json<{ workers: Array<{ name: string; host: string }> }>(["status"]);
    const onH2 = st.workers.filter((x) => x.host === "h2").map((w) => w.name);
    expect(onH2.length).toBeGreaterThan(0);
    // the host's hook relay listens here while the host is known
    expect(existsSync(join(orch.home, "ssh", "h2.h"))).toBe(true);
    // told to: the host's workers are killed first, then the host goes
    const removed = await orch.json<{ ok: boolean; killed: string[] }>([
      "host",
      "remove",
      "h2",
      "--kill-workers",
    ]);
    expect(removed.killed.sort()).toEqual(onH2.sort());
    const left = await orch.json<{ workers: Array<{ host: string }> }>(["status"]);
    expect(left.workers.filter((w) => w.host === "h2")).toEqual([]);
    expect(hostFiles("h2", ".log")).toEqual([]);
    expect(hostFiles("h2", "mask-filter.pl")).toEqual([]);
    expect(hostFiles("h2", "hook.pl")).toEqual([]);
    expect(existsSync(join(orch.home, "ssh", "h2.h"))).toBe(false);
  }, 60_000);
});
