import { describe, expect, test } from "bun:test";
import { makeStartupContext } from "../../../src/core/plugin/startup-context.ts";
import { validatePlugin } from "../../../src/core/plugin/validate.ts";
import { frameShellTask, shellPlugin } from "../../../src/plugins/shell/index.ts";

const M = { startPrefix: "---START-OF-OUTPUT-", endPrefix: "---END-OF-OUTPUT-", suffix: "---" };
/** Markers as the controller gives them to a plugin with `detect.nonce`. */
const N = { ...M, suffix: "-f00dfeed0123456789ab---" };

describe("shell plugin", () => {
  test("passes the plugin contract's validation", () => {
    const r = validatePlugin(shellPlugin(), "built-in shell");
    expect(r.ok).toBe(true);
  });

  test("the framed command never contains either marker, or a marker's prefix, verbatim (so its echo cannot be mistaken)", () => {
    for (const fresh of [true, false]) {
      const text = frameShellTask({ id: "abc", text: "echo hi", fresh }, N);
      for (const marker of [
        `---START-OF-OUTPUT-abc${N.suffix}`,
        "---END-OF-OUTPUT-abc-",
        N.startPrefix,
        N.endPrefix,
      ])
        expect(text).not.toContain(marker);
      expect(text).toContain("(eval 'echo hi')");
    }
  });

  test("runs the text in a subshell, through eval of one quoted word, with CRLF made LF", () => {
    const text = frameShellTask({ id: "abc", text: "a\r\nb 'q'", fresh: false }, M);
    expect(text).toBe(`_orch_s --- abc;(eval 'a\nb '\\''q'\\''');_orch_e ---`);
  });

  test("the framing, run by a real bash, prints the markers and the status", () => {
    const framed = frameShellTask({ id: "t1", text: "echo out; false" }, M);
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", framed]);
    expect(p.stdout.toString()).toBe("---START-OF-OUTPUT-t1---\nout\n---END-OF-OUTPUT-t1-1---\n");
  });

  test("a syntax error in the text fails the task with bash's message and status 2; the end marker still comes", () => {
    // (eval runs the commands before a syntax error further down, as bash runs a script)
    const cases = { "echo hi )": "", "echo 'open": "", "if true; then": "", "echo a\n)\necho b": "a\n" };
    for (const [text, before] of Object.entries(cases)) {
      const framed = frameShellTask({ id: "t1", text }, M);
      const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", `${framed}\necho next`]);
      expect(p.stdout.toString()).toBe(`---START-OF-OUTPUT-t1---\n${before}---END-OF-OUTPUT-t1-2---\nnext\n`);
      expect(p.stderr.toString()).toMatch(/syntax error|unexpected EOF/);
    }
  });

  test("the task cannot read the suffix (its nonce): not in variables, functions, the environment or $_", () => {
    const spy = 'last="$_"; { set; declare -f; env; echo "$last"; } | grep -c f00dfeed; echo "last=$last"';
    const framed = [
      frameShellTask({ id: "t1", text: "true" }, N),
      frameShellTask({ id: "t2", text: spy, fresh: false }, N),
    ].join("\n");
    // the lines on stdin, as the worker's bash reads them (bash -c would keep them in BASH_EXECUTION_STRING)
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-s"], { stdin: Buffer.from(`${framed}\n`) });
    const out = p.stdout.toString().split("\n");
    expect(out).toContain("0");
    expect(out).toContain("last=t2");
    expect(out.at(-2)).toBe(`---END-OF-OUTPUT-t2-0${N.suffix}`);
  });

  test("a session's later tasks are short lines that use the helpers its first task defined", () => {
    const first = frameShellTask({ id: "t1", text: "echo one" }, M);
    const later = [
      frameShellTask({ id: "t2", text: "echo two; exit 4", fresh: false }, M),
      frameShellTask({ id: "t3", text: "(exit 7); true", fresh: false }, M),
    ];
    // a bare UUID, the text, the suffix twice and 28 characters of framing: a paste costs
    // bash a read(2) per byte
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const line = frameShellTask({ id, text: "x", fresh: false }, N);
    expect(line.length).toBe(id.length + 1 + 2 * N.suffix.length + 28);
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", [first, ...later].join("\n")]);
    expect(p.stdout.toString()).toBe(
      [
        "---START-OF-OUTPUT-t1---",
        "one",
        "---END-OF-OUTPUT-t1-0---",
        "---START-OF-OUTPUT-t2---",
        "two",
        "---END-OF-OUTPUT-t2-4---",
        "---START-OF-OUTPUT-t3---",
        "---END-OF-OUTPUT-t3-0---",
        "",
      ].join("\n"),
    );
  });

  test("each task is delivered after keys that empty readline's line, and takes per-task markers", () => {
    const d = shellPlugin().frame({ id: "t1", text: "true" }, N);
    expect(d.clearKeys).toEqual(["C-g", "C-e", "C-u"]);
    expect(d.submit).toEqual(["Enter"]);
    expect(shellPlugin().detect).toEqual({ kind: "marker", nonce: true });
  });

  test("an id that is not a plain word is quoted", () => {
    const framed = frameShellTask({ id: "a b;c", text: "true", fresh: true }, M);
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", framed]);
    expect(p.stdout.toString()).toBe("---START-OF-OUTPUT-a b;c---\n---END-OF-OUTPUT-a b;c-0---\n");
  });

  test("markers with quotes in them are quoted for the shell", () => {
    const m = { startPrefix: "<'S", endPrefix: "<'E", suffix: "'>" };
    const framed = [
      frameShellTask({ id: "t2", text: "true" }, m),
      frameShellTask({ id: "t3", text: "false", fresh: false }, m),
    ].join("\n");
    const p = Bun.spawnSync(["bash", "--noprofile", "--norc", "-c", framed]);
    expect(p.stdout.toString()).toBe("<'St2'>\n<'Et2-0'>\n<'St3'>\n<'Et3-1'>\n");
  });

  test("startup seeds an rcfile that turns off history expansion and completion", () => {
    const spec = shellPlugin().startup(makeStartupContext({ workerName: "w", project: "/p", dataDir: "/d" }));
    expect(spec.argv).toEqual(["bash", "--noprofile", "--rcfile", "/d/shellrc", "-i"]);
    const rc = spec.files?.[0]?.content ?? "";
    expect(rc).toContain("set +H");
    expect(rc).toContain("set +o history");
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

describe("approval.answerDelayMs", () => {
  test("accepted from 0 to 10 s, refused outside, naming the field", () => {
    const plugin = (answerDelayMs: number) => ({
      ...shellPlugin(),
      approval: { approveKeys: ["y"], denyKeys: ["n"], answerDelayMs },
    });
    expect(validatePlugin(plugin(0), "t").ok).toBe(true);
    expect(validatePlugin(plugin(500), "t").ok).toBe(true);
    for (const bad of [-1, 10_001, 1.5]) {
      const r = validatePlugin(plugin(bad), "t");
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain("approval.answerDelayMs");
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
