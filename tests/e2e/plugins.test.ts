/**
 * Plugins from users through the compiled binary: `orch plugin add|list|show|remove`, a code
 * plugin importing `orch:sdk`, a declarative one, and broken ones that must never take the
 * controller down.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OrchHarness, type StatusJson } from "../helpers/orch-harness.ts";

const EXAMPLES = resolve(import.meta.dir, "..", "..", "examples", "plugins");
let h: OrchHarness;
let project: string;

beforeAll(async () => {
  h = new OrchHarness("dist");
  project = h.project("p");
  await h.ok(["start"]);
}, 60_000);

afterAll(async () => {
  await h?.cleanup();
}, 60_000);

/** Writes a plugin file under the test's root and returns its path. */
function pluginFile(name: string, content: string): string {
  const p = join(h.root, name);
  writeFileSync(p, content);
  return p;
}

async function controllerAlive(): Promise<boolean> {
  const st = JSON.parse(await h.ok(["status", "--json"])) as StatusJson;
  return st.controller.pid > 0;
}

describe("plugin add, list, show, remove", () => {
  test("a code plugin (orch:sdk) is validated, shown, installed and runs tasks", async () => {
    const added = await h.run(["plugin", "add", join(EXAMPLES, "dash-agent.ts")]);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    expect(added.stdout).toContain("runs:      dash -i");
    expect(added.stdout).toContain("completion: marker");
    const list = JSON.parse(await h.ok(["plugin", "list", "--json"])) as { name: string; kind: string }[];
    expect(list.find((p) => p.name === "dash")?.kind).toBe("module");
    expect(list.find((p) => p.name === "claude")?.kind).toBe("built-in");
    expect((await h.ok(["add-worker", "--type", "dash", "--project", project, "--name", "d1"])).trim()).toBe(
      "d1",
    );
    const r = await h.run(["send", "d1", "--wait", "echo from dash $((6*7))"]);
    expect(r.stdout).toBe("from dash 42\n");
    expect(r.code).toBe(0);
    const bad = await h.run(["send", "d1", "--wait", "--", "false"]);
    expect(bad.code).toBe(1);
  }, 60_000);

  test("a declarative JSON plugin needs no code", async () => {
    await h.ok(["plugin", "add", join(EXAMPLES, "bash-lite.json")]);
    const shown = JSON.parse(await h.ok(["plugin", "show", "bash-lite", "--json"])) as {
      kind: string;
      command: string[];
    };
    expect(shown.kind).toBe("declarative");
    expect(shown.command).toEqual(["bash", "--norc", "--noprofile", "-i"]);
    await h.ok(["add-worker", "--type", "bash-lite", "--project", project, "--name", "l1"]);
    const r = await h.run(["send", "l1", "--wait", "printf 'a b\\n'; pwd"]);
    expect(r.stdout).toBe(`a b\n${project}\n`);
  }, 60_000);

  test("a declarative TOML plugin with screen detection is accepted", async () => {
    const toml = pluginFile(
      "watcher.toml",
      [
        'name = "watcher"',
        'description = "a TUI told apart by its screen"',
        'version = "0.1.0"',
        'command = ["bash", "--norc"]',
        'detect = "screen"',
        "[screen]",
        'busy = "working\\\\.\\\\.\\\\."',
        'idle = "\\\\$ $"',
        "",
      ].join("\n"),
    );
    const r = await h.run(["plugin", "add", toml, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).screenStates).toEqual(["busy", "idle"]);
  });

  test("remove takes it away; a removed or unknown type is refused with the list", async () => {
    expect(await h.ok(["plugin", "remove", "watcher"])).toContain("removed plugin watcher");
    const r = await h.run(["add-worker", "--type", "watcher", "--project", project]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown agent type "watcher"');
    const again = await h.run(["plugin", "remove", "watcher"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('no installed plugin named "watcher"');
    const builtin = await h.run(["plugin", "remove", "shell"]);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toContain("built in");
  });
});

describe("adding again and typos", () => {
  const versioned = (v: string) =>
    `import { definePlugin, pasteSafe } from "orch:sdk";
export default definePlugin(() => ({ name: "versioned", description: "${v}", version: "${v}",
  startup: () => ({ argv: ["bash", "--norc", "-i"], env: { PS1: "${v}$ " }, ready: /${v}\\$ $/ }),
  frame: (task, m) => ({ text: "printf '%s%s\\\\n' '" + m.startPrefix.slice(0, 3) + "' '" + m.startPrefix.slice(3) + task.id + m.suffix + "'; " + pasteSafe(task.text) + "; printf '%s%s-%d%s\\\\n' '" + m.endPrefix.slice(0, 3) + "' '" + m.endPrefix.slice(3) + task.id + "' $? '" + m.suffix + "'", submit: ["Enter"] }),
  detect: { kind: "marker" } }));`;

  test("a plugin added again under its name replaces the old code in the running controller", async () => {
    const f = pluginFile("versioned.ts", versioned("v1"));
    await h.ok(["plugin", "add", f]);
    await h.ok(["add-worker", "--type", "versioned", "--project", project, "--name", "v1w"]);
    expect((await h.run(["send", "v1w", "--wait", "echo $PS1"])).stdout).toBe("v1$\n");
    writeFileSync(f, versioned("v2"));
    await h.ok(["plugin", "add", f]);
    await h.ok(["add-worker", "--type", "versioned", "--project", project, "--name", "v2w"]);
    expect((await h.run(["send", "v2w", "--wait", "echo $PS1"])).stdout).toBe("v2$\n");
  }, 60_000);

  test("a file that is not there is named as missing (not looked up on npm)", async () => {
    const r = await h.run(["plugin", "add", "no-such-plugin.ts"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('plugin source "no-such-plugin.ts" does not exist');
  });
});

describe("broken plugins: a clear error naming the plugin, and the controller goes on", () => {
  test("a syntax error", async () => {
    const f = pluginFile("broken-syntax.ts", "export default definePlugin(() => ({ name: 'x', ");
    const r = await h.run(["plugin", "add", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`plugin file ${f} does not load`);
    expect(await controllerAlive()).toBe(true);
  });

  test("a schema error names the field", async () => {
    const f = pluginFile(
      "no-frame.ts",
      `import { definePlugin } from "orch:sdk";
export default definePlugin(() => ({ name: "noframe", description: "d", version: "1", startup: () => ({ argv: ["sh"], ready: /x/ }), detect: { kind: "marker" } }));`,
    );
    const r = await h.run(["plugin", "add", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("frame: frame must be a function");
    const j = pluginFile(
      "bad.json",
      JSON.stringify({ name: "BadName", description: "d", version: "1", command: [], detect: "marker" }),
    );
    const rj = await h.run(["plugin", "add", j]);
    expect(rj.code).toBe(2);
    expect(rj.stderr).toContain("name: lowercase letters");
    expect(rj.stderr).toContain("command:");
  });

  test("a name clash with a built-in", async () => {
    const f = pluginFile(
      "clash.json",
      JSON.stringify({
        name: "shell",
        description: "d",
        version: "1",
        command: ["sh"],
        ready: "\\$ $",
        detect: "marker",
      }),
    );
    const r = await h.run(["plugin", "add", f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("has the name of a built-in agent type");
  });

  test("a plugin whose command does not exist: add-worker fails saying why", async () => {
    const f = pluginFile(
      "ghost.json",
      JSON.stringify({
        name: "ghost",
        description: "d",
        version: "1",
        command: ["/nonexistent/agent-binary"],
        ready: "never",
        detect: "marker",
      }),
    );
    await h.ok(["plugin", "add", f]);
    const r = await h.run(["add-worker", "--type", "ghost", "--project", project, "--name", "g1"], 60_000);
    expect(r.code).toBe(3);
    // 127, or no status when tmux recorded none (tmux 3.3a under load): then orch looks the command up
    expect(r.stderr).toMatch(
      /worker "g1": the agent exited at once with status (127|\?) \(command not found: \/nonexistent\/agent-binary\)/,
    );
    expect(await controllerAlive()).toBe(true);
  }, 60_000);

  test("a plugin that throws in frame fails the task with its name; the worker goes on", async () => {
    const f = pluginFile(
      "thrower.ts",
      `import { definePlugin } from "orch:sdk";
export default definePlugin(() => ({ name: "thrower", description: "d", version: "1",
  startup: () => ({ argv: ["bash", "--norc", "-i"], env: { PS1: "t$ " }, ready: /t\\$ $/ }),
  frame: (task) => { if (task.text === "boom") throw new Error("kaboom"); return { text: task.text, submit: ["Enter"] }; },
  detect: { kind: "marker" } }));`,
    );
    await h.ok(["plugin", "add", f]);
    await h.ok(["add-worker", "--type", "thrower", "--project", project, "--name", "t1"]);
    const r = await h.run(["send", "t1", "--wait", "boom"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plugin thrower failed in frame(): kaboom");
    expect(await controllerAlive()).toBe(true);
  }, 60_000);

  test("plugins are loaded again by a restarted controller", async () => {
    await h.ok(["stop"]);
    await h.ok(["start"]);
    const r = await h.run(["send", "d1", "--wait", "echo after restart"]);
    expect(r.stdout).toBe("after restart\n");
  }, 60_000);
});

describe("prompt delivery is verified", () => {
  // a TUI-like agent that swallows the first line it reads; shows "working..." (erased after) for the next
  const AGENT = String.raw`n=0; printf 'idle> '; while IFS= read -r line; do n=$((n+1)); if [ "$n" -eq 1 ] && [ "$MODE" != never ]; then continue; fi; if [ "$MODE" = never ]; then continue; fi; printf 'working...'; sleep 0.3; printf '\r\033[Kanswer %s\nidle> ' "$n"; done`;
  const spec = (name: string, mode: string) =>
    JSON.stringify({
      name,
      description: "swallows the first Enter",
      version: "1",
      command: ["bash", "--norc", "-c", AGENT],
      env: { MODE: mode },
      detect: "screen",
      screen: { busy: "working\\.\\.\\.", idle: "^idle> $" },
    });

  test("no sign of work after Enter: Enter is sent once more and the task completes", async () => {
    await h.ok(["plugin", "add", pluginFile("deaf-once.json", spec("deaf-once", "once"))]);
    await h.ok(["add-worker", "--type", "deaf-once", "--project", project, "--name", "df1"]);
    const r = await h.run(["send", "df1", "--wait", "--timeout", "30", "hello"], 40_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("answer 2");
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(join(h.home, "logs", "controller.log"), "utf8")).toContain(
      "prompt not taken yet; sending the submit keys again",
    );
  }, 60_000);

  test("still nothing after the second Enter: the task fails saying the agent did not take it", async () => {
    await h.ok(["plugin", "add", pluginFile("deaf.json", spec("deaf", "never"))]);
    await h.ok(["add-worker", "--type", "deaf", "--project", project, "--name", "df2"]);
    const r = await h.run(["send", "df2", "--wait", "--timeout", "30", "hello"], 40_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the agent did not take the prompt");
    expect(r.stderr).toContain("sent twice");
  }, 60_000);
});

describe("plugin trust: a checksum at add, owner-only files, refused when changed", () => {
  // a code plugin that seeds a file; its frame is the one of "versioned" above
  const trusted = (abs: string) => `import { definePlugin, pasteSafe } from "orch:sdk";
export default definePlugin(() => ({ name: "trusted", description: "seeds a file", version: "1",
  startup: () => ({ argv: ["bash", "--norc", "-i"], env: { PS1: "tr$ ", TRUST_TOKEN: "x" }, ready: /tr\\$ $/,
    files: [{ path: "agent.cfg", content: "x=1\\n", mode: 0o640 }, { path: "${abs}", content: "" }] }),
  frame: (task, m) => ({ text: "printf '%s%s\\\\n' '" + m.startPrefix.slice(0, 3) + "' '" + m.startPrefix.slice(3) + task.id + m.suffix + "'; " + pasteSafe(task.text) + "; printf '%s%s-%d%s\\\\n' '" + m.endPrefix.slice(0, 3) + "' '" + m.endPrefix.slice(3) + task.id + "' $? '" + m.suffix + "'", submit: ["Enter"] }),
  detect: { kind: "marker" } }));`;
  let src: string;
  let abs: string;
  let installed: string;
  let sha: string;

  const listed = async () =>
    (
      JSON.parse(await h.ok(["plugin", "list", "--json"])) as { name: string; kind: string; error?: string }[]
    ).find((p) => p.name === "trusted");
  const reload = () => h.api<{ loaded: string[]; errors: string[] }>("POST", "/v1/plugins/reload", {});

  test("add shows what it runs, the env names, the seeded files with their modes and the sha256", async () => {
    abs = join(h.root, "abs.cfg");
    src = pluginFile("trusted.ts", trusted(abs));
    const text = await h.run(["plugin", "add", src]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("runs:      bash --norc -i");
    expect(text.stdout).toContain("env:       PS1, TRUST_TOKEN");
    expect(text.stdout).toContain(`seeds:     $ORCH_HOME/workers/WORKER/agent.cfg (0640), ${abs} (0600)`);
    sha = /sha256: {4}([0-9a-f]{64})\n/.exec(text.stdout)?.[1] ?? "";
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    const j = JSON.parse(await h.ok(["plugin", "add", src, "--json"])) as Record<string, unknown>;
    expect(j).toMatchObject({
      added: true,
      name: "trusted",
      command: ["bash", "--norc", "-i"],
      env: ["PS1", "TRUST_TOKEN"],
      files: ["agent.cfg", abs],
      seeds: [
        { path: "$ORCH_HOME/workers/WORKER/agent.cfg", mode: "0640" },
        { path: abs, mode: "0600" },
      ],
      sha256: sha,
    });
    installed = j.entry as string;
    const dir = join(h.home, "plugins", "trusted");
    expect(installed).toBe(join(dir, "trusted.ts"));
    const meta = JSON.parse(readFileSync(join(dir, "orch-plugin.json"), "utf8")) as { sha256: string };
    expect(meta.sha256).toBe(sha);
    expect(statSync(installed).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "orch-plugin.json")).mode & 0o777).toBe(0o600);
    const shown = JSON.parse(await h.ok(["plugin", "show", "trusted", "--json"])) as { sha256: string };
    expect(shown.sha256).toBe(sha);
    await h.ok(["add-worker", "--type", "trusted", "--project", project, "--name", "tr1"]);
    expect((await h.run(["send", "tr1", "--wait", "echo trusted ok"])).stdout).toBe("trusted ok\n");
  }, 60_000);

  test("the installed copy edited: listed as broken, refused by the controller, which goes on", async () => {
    appendFileSync(installed, "\n// changed behind orch's back\n");
    const b = await listed();
    expect(b?.kind).toBe("broken");
    expect(b?.error).toContain(`its files changed since it was added (sha256 was ${sha}, now `);
    expect(b?.error).toContain(`run "orch plugin add ${src}" again to trust the new version`);
    const show = await h.run(["plugin", "show", "trusted"]);
    expect(show.code).toBe(2);
    expect(show.stderr).toContain("its files changed since it was added");
    const r = await reload();
    expect(r.body.loaded).not.toContain("trusted");
    expect(r.body.errors.join("\n")).toContain("plugin trusted: its files changed since it was added");
    const add = await h.run(["add-worker", "--type", "trusted", "--project", project, "--name", "tr2"]);
    expect(add.code).toBe(2);
    expect(add.stderr).toContain(
      'agent type "trusted" is installed but was not loaded: plugin trusted: its files changed since it was added',
    );
    expect(await controllerAlive()).toBe(true);
  }, 60_000);

  test("a restarted controller refuses it too, logs why and keeps running", async () => {
    await h.ok(["stop"]);
    await h.ok(["start"]);
    expect(await controllerAlive()).toBe(true);
    expect(readFileSync(join(h.home, "logs", "controller.log"), "utf8")).toContain(
      "plugin trusted: its files changed since it was added",
    );
    const st = JSON.parse(await h.ok(["status", "--json"])) as StatusJson;
    expect(st.workers.find((w) => w.name === "tr1")?.error).toContain(
      'agent type "trusted" was not loaded: plugin trusted: its files changed',
    );
    const add = await h.run(["add-worker", "--type", "trusted", "--project", project, "--name", "tr2"]);
    expect(add.code).toBe(2);
    expect(add.stderr).toContain("its files changed since it was added");
  }, 60_000);

  test("added again: trusted again, with the new checksum", async () => {
    const again = JSON.parse(await h.ok(["plugin", "add", src, "--json"])) as { sha256: string };
    expect(again.sha256).toBe(sha); // the source did not change: the same files as first added
    expect((await listed())?.kind).toBe("module");
    writeFileSync(src, trusted(abs).replace('version: "1"', 'version: "2"'));
    const v2 = JSON.parse(await h.ok(["plugin", "add", src, "--json"])) as {
      sha256: string;
      version: string;
    };
    expect(v2.version).toBe("2");
    expect(v2.sha256).not.toBe(sha);
    await h.ok(["add-worker", "--type", "trusted", "--project", project, "--name", "tr3"]);
    expect((await h.run(["send", "tr3", "--wait", "echo again"])).stdout).toBe("again\n");
  }, 60_000);

  test("a group-writable installed file is refused with its mode; re-adding fixes it", async () => {
    chmodSync(installed, 0o620);
    const b = await listed();
    expect(b?.kind).toBe("broken");
    expect(b?.error).toBe(
      `${installed} is group-writable (mode 0620): expected no write access for others; chmod go-w it or re-add the plugin`,
    );
    const r = await reload();
    expect(r.body.errors).toContain(
      `plugin trusted: ${installed} is group-writable (mode 0620): expected no write access for others; chmod go-w it or re-add the plugin`,
    );
    const add = await h.run(["add-worker", "--type", "trusted", "--project", project, "--name", "tr4"]);
    expect(add.code).toBe(2);
    expect(add.stderr).toContain("is group-writable (mode 0620)");
    await h.ok(["plugin", "add", src]);
    expect((await listed())?.kind).toBe("module");
    await h.ok(["add-worker", "--type", "trusted", "--project", project, "--name", "tr4"]);
  }, 60_000);

  test("a world-writable plugins folder or an install without a checksum is refused", async () => {
    const plugins = join(h.home, "plugins");
    chmodSync(plugins, 0o703);
    expect((await listed())?.error).toContain(`${plugins} is world-writable (mode 0703)`);
    chmodSync(plugins, 0o700);
    const metaFile = join(plugins, "trusted", "orch-plugin.json");
    const { sha256: _, ...old } = JSON.parse(readFileSync(metaFile, "utf8")) as Record<string, unknown>;
    writeFileSync(metaFile, JSON.stringify(old));
    expect((await listed())?.error).toBe(
      `no checksum was recorded when it was added (by an older orch); run "orch plugin add ${src}" again to trust it`,
    );
    await h.ok(["plugin", "add", src]);
    expect((await listed())?.kind).toBe("module");
  }, 60_000);
});
