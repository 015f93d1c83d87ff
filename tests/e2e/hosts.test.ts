/**
 * `orch host ...` through the compiled binary against real OpenSSH servers (tests/helpers/
 * ssh-hosts.ts: each in its own network namespace when run as root). Adding a host checks it
 * over ssh in batch mode with its key checked; its control channel comes up and is pinged;
 * a partitioned link or a frozen sshd marks only that host offline within 10 s, and it comes
 * back by itself; hosts outlive a controller restart; removing one stops orch's tmux there.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HostJson } from "../../src/core/hosts/host-desk.ts";
import { alive, OrchHarness, waitFor } from "../helpers/orch-harness.ts";
import { SshHosts } from "../helpers/ssh-hosts.ts";

describe("hosts over OpenSSH (compiled binary, real sshd)", () => {
  const orch = new OrchHarness("dist");
  let hosts: SshHosts;

  beforeAll(async () => {
    hosts = new SshHosts(join(orch.root, "ssh"));
    await hosts.add("h1");
    await hosts.add("h2", { knownKey: false });
    mkdirSync(orch.home, { recursive: true, mode: 0o700 });
    writeFileSync(join(orch.home, "config.yaml"), `sshConfig: ${hosts.configFile}\n`, { mode: 0o600 });
    await orch.ok(["start"]);
  }, 90_000);
  afterAll(async () => {
    // the hosts first: their tmux servers' sockets are under orch's temp dir
    hosts?.cleanup();
    await orch.cleanup();
  }, 60_000);

  const show = async (name: string) => orch.json<HostJson>(["host", "show", name]);
  const stateOf = async (name: string) => (await show(name)).state;
  /** Its link is up: online, or degraded (answering slowly, as on a loaded machine). */
  const up = (state: string) => state === "online" || state === "degraded";

  test("host add checks the host over ssh, and its channel is up when it answers", async () => {
    const h = await orch.json<HostJson>([
      "host",
      "add",
      "h1",
      "h1",
      "--label",
      "zone=a",
      "--label",
      "gpu=1",
      "--max-workers",
      "4",
    ]);
    expect({
      name: h.name,
      dest: h.dest,
      up: up(h.state),
      labels: h.labels,
      maxWorkers: h.maxWorkers,
    }).toEqual({
      name: "h1",
      dest: "h1",
      up: true,
      labels: { zone: "a", gpu: "1" },
      maxWorkers: 4,
    });
    expect(h.tmux).toMatch(/^\d+\.\d+/);
    expect(h.problems).toEqual([]);
    await waitFor("a first ping of h1", async () => (await show("h1")).rttMs !== null, 10_000);
    expect((await show("h1")).rttMs).toBeGreaterThan(0);
  }, 60_000);

  test("a host whose key ssh does not know is refused, naming --accept-new; with it, it is added", async () => {
    const r = await orch.run(["host", "add", "h2", "h2"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("--accept-new");
    expect(r.stderr).not.toContain("    at ");
    const h = await orch.json<HostJson>(["host", "add", "h2", "h2", "--accept-new"]);
    expect(up(h.state)).toBe(true);
  }, 60_000);

  test("bad names, destinations and duplicates are refused with exit 2, naming the value", async () => {
    const cases: Array<[string[], string]> = [
      [["host", "add", "local", "h1"], '"local"'],
      [["host", "add", "h1", "h1"], '"h1" exists already'],
      [["host", "add", "x", "-oProxyCommand=touch /tmp/pwned"], "-o"],
      [["host", "add", "x", "me@h1;touch /tmp/pwned"], "me@h1;touch /tmp/pwned"],
      [["host", "add", "bad name", "h1"], "bad name"],
      [["host", "add", "h3", "h1", "--label", "novalue"], '"novalue"'],
      [["host", "add", "h3", "h1", "--max-workers", "0"], '"0"'],
      [["host", "frobnicate"], '"frobnicate"'],
      [["host", "show", "nope"], '"nope"'],
    ];
    for (const [args, named] of cases) {
      const r = await orch.run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(named);
    }
  }, 60_000);

  test("host list and status --json show local first, then each host with the contract's keys", async () => {
    const list = await orch.json<HostJson[]>(["host", "list"]);
    expect(list.map((h) => [h.name, up(h.state)])).toEqual([
      ["local", true],
      ["h1", true],
      ["h2", true],
    ]);
    const st = await orch.json<{ hosts: Array<Record<string, unknown>> }>(["status"]);
    for (const h of st.hosts)
      for (const key of ["name", "dest", "state", "rttMs", "lastSeenAt", "labels", "workers", "maxWorkers"])
        expect(h).toHaveProperty(key);
    const text = await orch.ok(["status"]);
    expect(text).toContain("h2");
    const check = await orch.run(["host", "check", "--json"]);
    expect(check.code).toBe(0);
  }, 60_000);

  test("a link taken down marks only that host offline within 10 s; it comes back by itself", async () => {
    if (!hosts.hosts.get("h1")?.link)
      throw new Error("this test needs network namespaces (run as root with ip)");
    hosts.partition("h1", true);
    try {
      const t0 = Date.now();
      await waitFor("h1 offline", async () => (await stateOf("h1")) === "offline", 10_000);
      expect(Date.now() - t0).toBeLessThanOrEqual(10_000);
      expect(up(await stateOf("h2"))).toBe(true);
      const h1 = await show("h1");
      expect(h1.error).toBeTruthy();
      const c = await orch.run(["host", "check", "h1"]);
      expect(c.code).toBe(1);
      expect(c.stderr).toContain("h1");
    } finally {
      hosts.partition("h1", false);
    }
    await waitFor("h1 up again", async () => up(await stateOf("h1")), 30_000);
  }, 90_000);

  test("a frozen sshd marks its host offline within 10 s; thawed, it comes back", async () => {
    hosts.freeze("h2", true);
    try {
      await waitFor("h2 offline", async () => (await stateOf("h2")) === "offline", 10_000);
      expect(up(await stateOf("h1"))).toBe(true);
    } finally {
      hosts.freeze("h2", false);
    }
    await waitFor("h2 up again", async () => up(await stateOf("h2")), 40_000);
  }, 90_000);

  test("a frozen ssh ControlMaster (every new client hangs on it) is killed and replaced; the host comes back", async () => {
    const socket = join(orch.home, "ssh", "h2");
    const check = () =>
      spawnSync("ssh", ["-F", hosts.configFile, "-o", `ControlPath=${socket}`, "-O", "check", "h2"], {
        encoding: "utf8",
        timeout: 3000,
      });
    const pid = Number(/pid=(\d+)/.exec(check().stderr ?? "")?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGSTOP");
    try {
      await waitFor("h2 offline", async () => (await stateOf("h2")) === "offline", 10_000);
      await waitFor("h2 online through a new master", async () => up(await stateOf("h2")), 60_000);
      const now = Number(/pid=(\d+)/.exec(check().stderr ?? "")?.[1]);
      expect(now).toBeGreaterThan(0);
      expect(now).not.toBe(pid);
      await waitFor(`the frozen master ${pid} killed`, () => !alive(pid), 5000);
    } finally {
      try {
        process.kill(pid, "SIGCONT");
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }, 90_000);

  test("hosts outlive a controller restart and reconnect", async () => {
    await orch.ok(["stop"]);
    await orch.ok(["start"]);
    await waitFor(
      "h1 and h2 online after the restart",
      async () => {
        const list = await orch.json<HostJson[]>(["host", "list"]);
        return list.filter((h) => up(h.state)).length === 3;
      },
      30_000,
    );
  }, 60_000);

  test("host remove forgets the host and stops orch's tmux there", async () => {
    const [sock] = hosts.tmuxSockets("h1");
    if (!sock) throw new Error("no tmux socket of orch's on h1");
    expect(sock).toMatch(/orch-[0-9a-f]{8}-h1$/);
    const serving = () => spawnSync("tmux", ["-S", sock, "list-sessions"]).status === 0;
    expect(serving()).toBe(true);
    const r = await orch.json<{ ok: boolean; name: string; killed: string[] }>(["host", "remove", "h1"]);
    expect(r).toEqual({ ok: true, name: "h1", killed: [] });
    expect((await orch.json<HostJson[]>(["host", "list"])).map((h) => h.name)).toEqual(["local", "h2"]);
    expect(serving()).toBe(false);
    const again = await orch.run(["host", "remove", "h1"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('"h1"');
  }, 60_000);
});
