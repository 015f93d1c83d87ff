/**
 * Plugins from users through the compiled binary: `orch plugin add|list|show|remove`, a code
 * plugin importing `orch:sdk`, a declarative one, and broken ones that must never take the
 * controller down.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
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
    expect(r.stderr).toContain(
      'worker "g1": the agent exited at once with status 127 (command not found: /nonexistent/agent-binary)',
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
    expect(r.stderr).toContain("plugin thrower failed to frame the task: kaboom");
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
