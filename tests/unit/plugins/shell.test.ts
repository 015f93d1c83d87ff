import { describe, expect, test } from "bun:test";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { validatePlugin } from "../../../src/core/plugin/validate.ts";
import { frameShellTask, shellPlugin } from "../../../src/plugins/shell/index.ts";

const M = { startPrefix: "---START-OF-OUTPUT-", endPrefix: "---END-OF-OUTPUT-", suffix: "---" };

describe("shell plugin", () => {
  test("passes the plugin contract's validation", () => {
    const r = validatePlugin(shellPlugin(), "built-in shell");
    expect(r.ok).toBe(true);
  });

  test("the framed command never contains either marker verbatim (so its echo cannot be mistaken)", () => {
    const text = frameShellTask({ id: "abc", text: "echo hi" }, M);
    expect(text).not.toContain("---START-OF-OUTPUT-abc---");
    expect(text).not.toContain("---END-OF-OUTPUT-abc-");
    expect(text).toContain("\necho hi\n");
  });

  test("runs the text in a subshell between the markers, with CRLF made LF", () => {
    const text = frameShellTask({ id: "abc", text: "a\r\nb" }, M);
    expect(text).toMatch(/; \(\na\nb\n\); printf/);
  });

  test("the framing, run by a real bash, prints the markers and the status", () => {
    const framed = frameShellTask({ id: "t1", text: "echo out; false" }, M);
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", framed]);
    expect(p.stdout.toString()).toBe("---START-OF-OUTPUT-t1---\nout\n---END-OF-OUTPUT-t1-1---\n");
  });

  test("markers with quotes in them are quoted for the shell", () => {
    const framed = frameShellTask(
      { id: "t2", text: "true" },
      { startPrefix: "<'S", endPrefix: "<'E", suffix: "'>" },
    );
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", framed]);
    expect(p.stdout.toString()).toBe("<'St2'>\n<'Et2-0'>\n");
  });

  test("startup seeds an rcfile that turns off history expansion and completion", () => {
    const spec = shellPlugin().startup(makeStartupContext({ workerName: "w", project: "/p", dataDir: "/d" }));
    expect(spec.argv).toEqual(["bash", "--noprofile", "--rcfile", "/d/shellrc", "-i"]);
    const rc = spec.files?.[0]?.content ?? "";
    expect(rc).toContain("set +H");
    expect(rc).toContain("disable-completion on");
    expect(rc).toContain("enable-bracketed-paste on");
    expect(spec.ready?.test("\x1b[?2004h$ ")).toBe(true);
  });
});

describe("plugin validation", () => {
  test("a broken plugin is reported with the plugin's origin and the bad field", () => {
    const r = validatePlugin(
      { name: "Bad Name", description: "", version: "1", detect: { kind: "psychic" } },
      "file x.ts",
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain("file x.ts");
      expect(r.error).toContain("name");
      expect(r.error).toContain("startup");
    }
  });
});

describe("shell probe", () => {
  test("the echo probe's answer is in bash's output, never in the echoed line", () => {
    const probe = shellPlugin().probe!;
    expect(probe.expect.test(probe.text)).toBe(false);
    expect(probe.expect.test(Bun.spawnSync(["bash", "-c", probe.text]).stdout.toString())).toBe(true);
  });
});
