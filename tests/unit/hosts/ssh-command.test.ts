import { describe, expect, test } from "bun:test";
import {
  explainSshFailure,
  hostProblems,
  parseProbe,
  tmuxAtLeast,
} from "../../../src/core/hosts/host-probe.ts";
import {
  controlDirFor,
  formatDest,
  parseDest,
  sshArgv,
  sshControlArgv,
} from "../../../src/core/hosts/ssh-command.ts";

describe("parseDest", () => {
  test("takes aliases, user@host, IPv6 in brackets and ssh:// URLs with a port", () => {
    expect(parseDest("build-1")).toEqual({ ok: true, value: { dest: "build-1", port: null } });
    expect(parseDest("me@10.0.0.7")).toEqual({ ok: true, value: { dest: "me@10.0.0.7", port: null } });
    expect(parseDest("ssh://me@build-1:2222")).toEqual({
      ok: true,
      value: { dest: "me@build-1", port: 2222 },
    });
    expect(parseDest("ssh://build-1")).toEqual({ ok: true, value: { dest: "build-1", port: null } });
    expect(parseDest("me@[::1]")).toEqual({ ok: true, value: { dest: "me@[::1]", port: null } });
  });

  test("refuses what ssh would read as an option or a shell would split, naming it", () => {
    for (const bad of [
      "-oProxyCommand=x",
      "a b",
      "h;rm -rf /",
      "h$(id)",
      "",
      "ssh://h:0",
      "ssh://h:70000",
      "me@",
    ]) {
      const r = parseDest(bad);
      expect({ bad, ok: r.ok }).toEqual({ bad, ok: false });
      if (!r.ok) expect(r.error).toContain(JSON.stringify(bad));
    }
  });

  test("formatDest gives back what was meant", () => {
    expect(formatDest({ dest: "me@h", port: 2222 })).toBe("ssh://me@h:2222");
    expect(formatDest({ dest: "h", port: null })).toBe("h");
  });
});

describe("sshArgv", () => {
  const s = { configFile: "/etc/orch/ssh_config", controlDir: "/o/ssh" };

  test("batch mode, a private ControlPath, keepalives; host keys checked unless accept-new is asked", () => {
    const argv = sshArgv(s, { dest: "me@h", port: 2222 }, ["tmux", "-V"]);
    expect(argv.slice(0, 3)).toEqual(["ssh", "-F", "/etc/orch/ssh_config"]);
    expect(argv).toContain("BatchMode=yes");
    expect(argv).toContain("ControlPath=/o/ssh/%C");
    expect(argv).toContain("ControlMaster=auto");
    expect(argv.join(" ")).not.toContain("StrictHostKeyChecking");
    expect(argv.slice(-6, -1)).toEqual(["-p", "2222", "-T", "me@h", "--"]);
    expect(argv.at(-1)).toBe("'tmux' '-V'");
    expect(sshArgv(s, { dest: "h", port: null }, [], { acceptNew: true })).toContain(
      "StrictHostKeyChecking=accept-new",
    );
  });

  test("each remote word is quoted for the remote shell", () => {
    const argv = sshArgv({ configFile: null, controlDir: "/o" }, { dest: "h", port: null }, [
      "sh",
      "-c",
      "echo 'a b'; x",
    ]);
    expect(argv.at(-1)).toBe(`'sh' '-c' 'echo '\\''a b'\\''; x'`);
    expect(argv).not.toContain("-F");
  });

  test("a named host's ControlMaster socket is controlDir/NAME (so a wedged one can be removed)", () => {
    expect(sshArgv(s, { dest: "me@h", port: null, name: "build-1" }, [])).toContain(
      "ControlPath=/o/ssh/build-1",
    );
    expect(sshControlArgv(s, { dest: "me@h", port: null, name: "build-1" }, "exit")).toContain(
      "ControlPath=/o/ssh/build-1",
    );
  });

  test("ControlMaster requests name the same ControlPath", () => {
    expect(sshControlArgv(s, { dest: "h", port: null }, "check")).toEqual([
      "ssh",
      "-F",
      "/etc/orch/ssh_config",
      "-o",
      "ControlPath=/o/ssh/%C",
      "-O",
      "check",
      "h",
    ]);
  });

  test("the ControlPath directory stays short enough for a Unix socket", () => {
    expect(controlDirFor("/home/me/.local/state/orch")).toBe("/home/me/.local/state/orch/ssh");
    const deep = controlDirFor(`/home/me/${"x".repeat(80)}`);
    expect(deep.length + "/".length + 63).toBeLessThan(104);
    expect(controlDirFor(`/home/me/${"x".repeat(80)}`)).toBe(deep);
    expect(controlDirFor(`/home/you/${"x".repeat(80)}`)).not.toBe(deep);
  });
});

describe("the host check", () => {
  const out = [
    "tmux=tmux 3.3a",
    "bash=1",
    "perl=1",
    "agent=claude",
    "agent=codex",
    "os=Linux x86_64",
    "orch-probe=done",
  ];

  test("parseProbe reads every line; a probe cut short is null", () => {
    expect(parseProbe(out.join("\n"), 5)).toEqual({
      tmux: "3.3a",
      bash: true,
      perl: true,
      agents: ["claude", "codex"],
      os: "Linux x86_64",
      checkedAt: 5,
    });
    expect(parseProbe(out.slice(0, -1).join("\n"), 5)).toBeNull();
  });

  test("hostProblems names what is missing or too old", () => {
    const f = parseProbe(["tmux=", "os=Linux", "orch-probe=done"].join("\n"), 0)!;
    expect(hostProblems(f)).toEqual([
      "tmux is not installed (orch needs tmux >= 3.2 there)",
      "bash is not installed (shell workers run bash)",
      "perl is not installed (pane logs are masked with perl before they are written)",
    ]);
    expect(hostProblems({ ...f, tmux: "3.1c", bash: true, perl: true })).toEqual([
      "tmux 3.1c is too old (orch needs tmux >= 3.2)",
    ]);
    expect(tmuxAtLeast("next-3.5", 3, 2)).toBe(true);
    expect(tmuxAtLeast("3.2", 3, 2)).toBe(true);
    expect(tmuxAtLeast("2.9a", 3, 2)).toBe(false);
  });

  test("ssh failures are explained with what to do", () => {
    expect(explainSshFailure("h", "Host key verification failed.\n", null)).toContain("--accept-new");
    expect(explainSshFailure("h", "root@h: Permission denied (publickey).\n", null)).toContain(
      "not allowed in",
    );
    expect(explainSshFailure("h", "", 20)).toBe("ssh to h gave no answer within 20 s");
    expect(
      explainSshFailure("h", "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@", null),
    ).toContain("CHANGED");
  });
});
