/**
 * Hostile input through the compiled binary (real tmux): the corpus in
 * tests/fixtures/hostile/corpus.json goes to a shell worker (through argv and through the API)
 * and to a fake interactive agent; each text either arrives byte for byte or is refused with
 * one clear line naming the character and its offset. Around it: a canary file that any
 * injected tmux or shell command would create, a second worker whose steady tasks must not
 * be disturbed, hostile project paths, worker names, plugin fields and workflow values.
 *
 * Comments starting "(found here: ...)" or "... must not ..." name what this suite once caught.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  OrchHarness,
  type RunResult,
  type StatusJson,
  type TaskJson,
  waitFor,
} from "../helpers/orch-harness.ts";

const FAKE_AGENT = resolve(import.meta.dir, "../fixtures/agents/fake-agent.sh");
const CORPUS_FILE = resolve(import.meta.dir, "../fixtures/hostile/corpus.json");

interface Entry {
  name: string;
  text: string;
  expect: "exact" | "refused" | "normalized";
  why: string;
  /** refused: the first control character, as U+XXXX */
  char?: string;
  /** normalized: what must arrive */
  arrives?: string;
}

const CORPUS = (JSON.parse(readFileSync(CORPUS_FILE, "utf8")) as { entries: Entry[] }).entries;
const DELIVERED = CORPUS.filter((e) => e.expect !== "refused");
const REFUSED = CORPUS.filter((e) => e.expect === "refused");

/** What orch refuses in a task text: C0 but TAB, LF and CR; DEL; C1. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
/** Control characters that must never reach a terminal in one line of orch's own messages. */
const RAW_CONTROL = /[\x00-\x1f\x7f-\x9f]/;
/** A quoted here-document whose delimiter is in no corpus entry: its body comes back as is. */
const TAG = "ORCH_END_7f3";
const heredoc = (text: string) => `cat <<'${TAG}'\n${text}\n${TAG}`;
/** Each test's own deadline (the suite may run without `--timeout`). */
const TEST_MS = 30_000;
/** The most tasks the steady worker runs. */
const STEADY_MAX = 3000;

/** Where the first control character of `text` is, as orch's message names it. */
function firstControl(text: string): { code: string; offset: number } {
  const m = CONTROL.exec(text);
  if (!m) throw new Error(`no control character in ${JSON.stringify(text)}`);
  return { code: `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`, offset: m.index };
}

/** The message orch must give for `text`, as a regex. */
function refusalMessage(text: string): RegExp {
  const { code, offset } = firstControl(text);
  if (code === "U+0000") return new RegExp(`(NUL byte|U\\+0000) at offset ${offset}\\b`);
  return new RegExp(`control character ${code.replace("+", "\\+")} at offset ${offset}\\b`);
}

/** One line on stderr, no stack, and no raw control character in it. */
function expectOneCleanLine(stderr: string): void {
  expect(stderr.endsWith("\n")).toBe(true);
  const body = stderr.slice(0, -1);
  expect(body).not.toContain("\n");
  expect(body).not.toMatch(RAW_CONTROL);
  expect(body).not.toContain("    at ");
}

/** The printable runs (4+ characters) of a refused text: none may ever show up in a pane. */
function fragments(text: string): string[] {
  return text
    .split(/[\x00-\x1f\x7f-\x9f]+/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 4);
}

describe("hostile input (compiled binary)", () => {
  const orch = new OrchHarness("dist", { ORCH_AUTO_WORKERS: "2" });
  const canary = join(orch.root, "canary");
  // the directory orch is "started from" (PWD), for the masking test below
  const startedFrom = join(orch.root, "started-here");
  orch.env.PWD = startedFrom;
  const fill = (t: string) => t.replaceAll("{CANARY}", canary);
  const hostileEnv = `#(touch ${canary}) $(touch ${canary}) \`touch ${canary}\` ; kill-server #{pane_id}`;
  /**
   * A project directory full of tmux and shell syntax. The slashes inside its $() and #() are
   * directory separators: a shell or a tmux format that read the whole path would still see
   * `touch CANARY`.
   */
  const hostileDir = () =>
    join(
      orch.projects,
      `p q 'sq' "dq" $(touch ${canary}) \`touch ${canary}\` ; #{pane_id} #(touch ${canary}) \${HOME} ~x 日本 👩‍💻 \u202eR %1 -t`,
    );
  let project = "";
  let agentProject = "";
  let controllerPid = 0;

  const status = () => orch.json<StatusJson>(["status"]);
  const cli = (args: string[]) => orch.run(args, 30_000);
  /** POST /v1/tasks?wait: one round trip for a short task. */
  const apiSend = async (worker: string, text: string, timeoutSec = 20) => {
    const r = await orch.api<TaskJson & { error?: string }>("POST", "/v1/tasks?wait=30000", {
      worker,
      text,
      timeoutSec,
    });
    if (r.status === 201 && !["succeeded", "failed", "timed_out", "cancelled"].includes(r.body.status))
      return { status: r.status, body: await orch.waitTask(r.body.id) };
    return r;
  };
  const paneHistory = async (worker: string) => {
    const pane = (await status()).workers.find((w) => w.name === worker)?.paneId;
    if (!pane) throw new Error(`no pane for ${worker}`);
    return orch.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", pane).stdout;
  };
  const windows = () =>
    orch.tmux("list-windows", "-t", "agent-system", "-F", "#{window_name}").stdout.trim().split("\n").sort();

  // ---- the steady worker b1: echo ok-N, over and over, while the corpus runs on a1 ----
  let steadyStop = false;
  let steady: Promise<{ done: number; bad: string[] }> = Promise.resolve({ done: 0, bad: [] });
  const steadyLoop = async () => {
    const bad: string[] = [];
    let done = 0;
    try {
      while ((!steadyStop || done < 20) && done < STEADY_MAX) {
        // the task's own pause keeps the pace steady without a sleep in the test
        const r = await apiSend("b1", `sleep 0.1; echo ok-${done}`);
        if (r.status !== 201 || r.body.status !== "succeeded" || r.body.output !== `ok-${done}\n`)
          bad.push(`#${done}: ${r.status} ${JSON.stringify(r.body)}`);
        done++;
      }
    } catch (e) {
      bad.push(`#${done}: ${String(e)}`);
    }
    return { done, bad };
  };

  /** Installs a declarative plugin from `spec` (written to a file); returns `plugin add`'s result. */
  const addPlugin = (file: string, spec: unknown) => {
    writeFileSync(join(orch.root, file), JSON.stringify(spec));
    return cli(["plugin", "add", join(orch.root, file)]);
  };

  beforeAll(async () => {
    project = await orch.startWithWorker("a1");
    controllerPid = (await status()).controller.pid;
    agentProject = orch.project("agent");
    await orch.ok(["add-worker", "--type", "shell", "--project", project, "--name", "b1"]);
    // a buffer appears if any pane ever gets an OSC 52 (the positive control is a test below)
    orch.tmux("set-option", "-g", "set-clipboard", "on");
    // the fake agent behind `tee`, which records every byte it reads (the screen shows TABs as
    // spaces and drops zero-width characters; the file does not); the last argument and the
    // environment carry tmux and shell syntax that must reach it untouched
    const script =
      '{ printf \'%s\' "$HOSTILE_ENV" > "$0.env"; printf \'%s\' "$3" > "$0.arg"; } 2>/dev/null; ' +
      'tee -a -- "$0" 2>/dev/null | bash --norc "$1" "$2"';
    const added = await addPlugin("fake.json", {
      name: "fake",
      description: "the fake agent, recorded",
      version: "1",
      command: ["bash", "--norc", "-c", script, "{project}/received.txt", FAKE_AGENT, "{worker}", hostileEnv],
      env: { HOSTILE_ENV: hostileEnv },
      detect: "screen",
      screen: { busy: "working\\.\\.\\.", idle: "^idle> $" },
    });
    if (added.code !== 0) throw new Error(`plugin add: ${added.stderr}`);
    await orch.ok(["add-worker", "--type", "fake", "--project", agentProject, "--name", "f1"]);
    steady = steadyLoop();
  }, 60_000);
  afterAll(async () => {
    steadyStop = true;
    await steady;
    await orch.cleanup();
  }, 30_000);

  // ---- refused texts: exit 2, one line naming the character and offset, nothing typed ----

  describe("refused texts", () => {
    for (const e of REFUSED) {
      test(
        `${e.name}: refused (${e.char})`,
        async () => {
          const text = fill(e.text);
          expect(firstControl(text).code).toBe(e.char!);
          if (!text.includes("\0")) {
            // argv cannot carry NUL: that one only through the API
            const r = await cli(["send", "a1", "--wait", "--", text]);
            expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
            expect(r.stderr).toMatch(refusalMessage(text));
            expectOneCleanLine(r.stderr);
          }
          for (const worker of ["a1", "f1"]) {
            const api = await orch.api<{ error: string; code: string }>("POST", "/v1/tasks", {
              worker,
              text,
            });
            expect(api.status).toBe(400);
            expect(api.body.error).toMatch(refusalMessage(text));
            expect(api.body.error).not.toMatch(RAW_CONTROL);
          }
        },
        TEST_MS,
      );
    }

    test(
      "nothing of a refused text reached a pane; the next task's output is clean",
      async () => {
        const history = await paneHistory("a1");
        for (const e of REFUSED) for (const f of fragments(fill(e.text))) expect(history).not.toContain(f);
        const t = await apiSend("a1", "echo clean-after-refusals");
        expect(t.body).toMatchObject({ status: "succeeded", output: "clean-after-refusals\n" });
        const tasks = (await orch.api<TaskJson[]>("GET", "/v1/tasks?worker=a1")).body;
        expect(tasks.map((x) => x.text)).toEqual(["echo clean-after-refusals"]);
        expect(
          existsSync(`${agentProject}/received.txt`)
            ? readFileSync(`${agentProject}/received.txt`, "utf8")
            : "",
        ).toBe("");
      },
      TEST_MS,
    );
  });

  // ---- delivered texts: byte for byte, through the API and through argv ----

  describe("shell worker: every other text arrives byte for byte", () => {
    for (const e of DELIVERED) {
      const want = () => `${e.expect === "normalized" ? e.arrives! : fill(e.text)}\n`;
      test(
        `${e.name}: API`,
        async () => {
          const r = await apiSend("a1", heredoc(fill(e.text)));
          expect(r.status).toBe(201);
          expect(r.body.status).toBe("succeeded");
          expect(r.body.output).toBe(want());
        },
        TEST_MS,
      );
      test(
        `${e.name}: argv (orch send --wait -- TEXT)`,
        async () => {
          const r = await cli(["send", "a1", "--wait", "--", heredoc(fill(e.text))]);
          expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
          expect(r.stdout).toBe(want());
        },
        TEST_MS,
      );
    }

    test("a 100 KB line of hostile characters, through argv", async () => {
      // (one argv word holds at most 128 KiB on Linux)
      const piece = fill("#{pane_id};'\"$(touch {CANARY})`x`\\ 日本👩‍💻\u202e\t%end 1 2 0 ");
      const line = piece.repeat(Math.ceil(100_000 / Buffer.byteLength(piece)));
      const r = await cli(["send", "a1", "--wait", "--timeout", "40", "--", heredoc(line)]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      expect(r.stdout.length).toBe(line.length + 1);
      expect(r.stdout).toBe(`${line}\n`);
    }, 60_000);

    test(
      "a text over the size limit is refused with its size, through the API",
      async () => {
        const r = await orch.api<{ error: string }>("POST", "/v1/tasks", {
          worker: "a1",
          text: `echo ${"x".repeat(1_048_576)}`,
        });
        expect(r.status).toBe(400);
        expect(r.body.error).toContain("1048581 bytes: expected at most 1048576 bytes");
      },
      TEST_MS,
    );

    // BUG: TmuxOps.paste() loads the paste buffer in chunks of 65536 UTF-16 code units
    // (text.slice), which can cut a surrogate pair in two: the emoji at the cut arrives as
    // U+FFFD U+FFFD. One of the two payloads below always straddles the cut.
    test("an emoji on the 64 Ki paste-buffer chunk boundary arrives intact", async () => {
      for (const lead of ["", "x"]) {
        const payload = `${lead}${"🚀".repeat(40_000)}`;
        const r = await apiSend("a1", heredoc(payload), 40);
        expect(r.body.status).toBe("succeeded");
        expect(r.body.output?.indexOf("\ufffd")).toBe(-1);
        expect(r.body.output).toBe(`${payload}\n`);
      }
    }, 60_000);

    // BUG: PWD and OLDPWD match the secret-variable pattern (`pwd` is there for passwords), so
    // the directory orch was started from is replaced by [MASKED:env] in every task's output:
    // `cd ~/proj && orch start && orch add-worker --project .` and `pwd` prints a mask.
    test(
      "the directory orch was started from is not masked as a secret",
      async () => {
        const text = `${startedFrom}/src`;
        const r = await apiSend("a1", heredoc(text));
        expect(r.body.output).toBe(`${text}\n`);
      },
      TEST_MS,
    );

    // a lone surrogate has no UTF-8 form: typed, it would arrive as U+FFFD
    test(
      "a lone surrogate (API) is refused rather than typed as U+FFFD",
      async () => {
        const r = await orch.api<TaskJson & { error: string }>("POST", "/v1/tasks?wait=20000", {
          worker: "a1",
          text: heredoc("a\ud800b"),
        });
        expect(r.status).toBe(400);
      },
      TEST_MS,
    );

    // argv that is not UTF-8 would be decoded with U+FFFD replacements: neither exact nor refused
    test(
      "invalid UTF-8 in argv is refused rather than typed as U+FFFD",
      async () => {
        const script = `exec "$@" send a1 --wait -- "$(printf "cat <<'${TAG}'\\n\\xff\\xfe\\n${TAG}")"`;
        const p = Bun.spawn(["bash", "-c", script, "orch", ...orch.command()], {
          env: orch.childEnv(),
          stdout: "pipe",
          stderr: "pipe",
        });
        const [stdout, stderr, code] = await Promise.all([
          new Response(p.stdout).text(),
          new Response(p.stderr).text(),
          p.exited,
        ]);
        expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
        expectOneCleanLine(stderr);
      },
      TEST_MS,
    );

    // the CLI parser (mri) would turn a word that looks like a number into a number when it
    // follows a boolean flag: "007" would be sent as "7", "1e3" as "1000"
    test(
      "text that looks like a number, right after a flag, arrives as typed",
      async () => {
        for (const word of ["007", "1.50", "1e3"]) {
          const r = await cli(["send", "a1", "--json", word]);
          expect(r.code).toBe(0);
          expect((JSON.parse(r.stdout) as TaskJson).text).toBe(word);
        }
      },
      TEST_MS,
    );
  });

  // ---- the interactive agent ----

  describe("fake interactive agent", () => {
    const single = DELIVERED.filter((e) => e.expect === "exact" && !/[\n\r]/.test(e.text));
    const received = () => readFileSync(join(agentProject, "received.txt"), "utf8");
    let sent = 0;
    for (const e of single) {
      // (found here: a declarative plugin's string replacement read `$$`, `$&`, `` $` `` and
      // `$'` in the text until it took a function)
      test(
        `${e.name}: read and answered exactly`,
        async () => {
          const text = fill(e.text);
          const r = await apiSend("f1", text);
          sent++;
          expect(r.body.status).toBe("succeeded");
          // what the agent read, byte for byte (`tee` wrote it before the agent answered)
          expect(received().split("\n").at(-2)).toBe(text);
          // the screen shows a TAB as spaces and zero-width characters and line separators not
          // at all: those are compared through the recording only
          if (!/[\t\u200b-\u200d\u2028\u2029\u2060\ufeff]/.test(text))
            expect(r.body.output).toContain(`answer: ${text}\n`);
        },
        TEST_MS,
      );
    }

    test("the agent read one line per task and nothing else (no refused text)", () => {
      expect(received().split("\n").length).toBe(sent + 1);
    });

    test("a plugin's argv and env reach the agent untouched (no tmux format, no shell)", () => {
      expect(readFileSync(join(agentProject, "received.txt.env"), "utf8")).toBe(hostileEnv);
      expect(readFileSync(join(agentProject, "received.txt.arg"), "utf8")).toBe(hostileEnv);
    });
  });

  // ---- the controller, tmux and the other worker after all of that ----

  describe("after the corpus", () => {
    test(
      "no canary, the same windows, the controller still answers, nothing on the clipboard",
      async () => {
        expect(existsSync(canary)).toBe(false);
        expect(windows()).toEqual(["controller", "fake-f1", "shell-a1", "shell-b1"]);
        const st = await status();
        expect(st.controller.pid).toBe(controllerPid);
        // (b1 may be in the middle of one of its steady tasks)
        expect(st.workers.map((w) => `${w.name}:${w.state === "running" ? "idle" : w.state}`).sort()).toEqual(
          ["a1:idle", "b1:idle", "f1:idle"],
        );
        expect(orch.tmux("list-buffers", "-F", "#{buffer_name}").stdout).toBe("");
        const titles = orch.tmux("list-panes", "-s", "-t", "agent-system", "-F", "#{pane_title}").stdout;
        expect(titles).not.toContain("hostile-title");
      },
      TEST_MS,
    );

    test(
      "the canary works: an OSC 52 a task prints itself does fill a tmux buffer",
      async () => {
        const r = await apiSend("a1", "printf '\\033]52;c;%s\\a' b2stY2FuYXJ5");
        expect(r.body.status).toBe("succeeded");
        const buffers = await waitFor("an OSC 52 buffer", () => orch.tmux("list-buffers").stdout.trim());
        expect(buffers).toContain("ok-canary");
        for (const name of orch.tmux("list-buffers", "-F", "#{buffer_name}").stdout.trim().split("\n"))
          orch.tmux("delete-buffer", "-b", name);
      },
      TEST_MS,
    );

    test("the steady worker ran every one of its tasks with exactly its output", async () => {
      steadyStop = true;
      const { done, bad } = await steady;
      expect(bad).toEqual([]);
      expect(done).toBeGreaterThanOrEqual(20);
      expect(done).toBeLessThan(STEADY_MAX); // it was still going when the corpus ended
      const b = (await orch.api<TaskJson[]>("GET", "/v1/tasks?worker=b1")).body;
      expect(b.length).toBe(done);
      expect(b.every((t) => t.status === "succeeded")).toBe(true);
    }, 60_000);
  });

  // ---- project paths ----

  describe("project paths", () => {
    test(
      "add-worker on a hostile path works, pwd prints it exactly, no canary",
      async () => {
        const dir = hostileDir();
        mkdirSync(dir, { recursive: true });
        expect(await orch.ok(["add-worker", "--type", "shell", "--project", dir, "--name", "pp"])).toBe(
          "pp\n",
        );
        const r = await cli(["send", "pp", "--wait", "pwd"]);
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
          code: 0,
          stdout: `${dir}\n`,
          stderr: "",
        });
        expect((await status()).workers.find((w) => w.name === "pp")?.project).toBe(dir);
        expect(existsSync(canary)).toBe(false);
      },
      TEST_MS,
    );

    test(
      "the interactive agent starts in it too (its path is one argv word)",
      async () => {
        const dir = hostileDir();
        expect(await orch.ok(["add-worker", "--type", "fake", "--project", dir, "--name", "fp"])).toBe(
          "fp\n",
        );
        const r = await apiSend("fp", "hello from a hostile path");
        expect(r.body.output).toContain("answer: hello from a hostile path\n");
        expect(readFileSync(join(dir, "received.txt"), "utf8")).toBe("hello from a hostile path\n");
        expect(existsSync(canary)).toBe(false);
      },
      TEST_MS,
    );

    // BUG: a declarative plugin replaces {project} in its command with a string replacement
    // (src/core/plugin/declarative.ts), so `$&` in the path becomes "{project}", "$$" becomes
    // "$" and "$'" vanishes: the agent is started with another path than the project's.
    test(
      "a project path with $& $$ $' reaches a declarative plugin's {project} exactly",
      async () => {
        const dir = join(orch.projects, "dollar $& $$ $' $` x");
        mkdirSync(dir, { recursive: true });
        expect(await orch.ok(["add-worker", "--type", "fake", "--project", dir, "--name", "fd"])).toBe(
          "fd\n",
        );
        expect((await apiSend("fd", "hi")).body.output).toContain("answer: hi\n");
        expect(existsSync(join(dir, "received.txt"))).toBe(true);
      },
      TEST_MS,
    );

    // (found here: such a directory was accepted and `orch status` printed it raw, OSC 52 and
    // all; add-worker now refuses it, naming the character)
    test(
      "a project path with terminal controls is refused or never printed raw",
      async () => {
        const dir = join(orch.projects, "esc\u001b]52;c;aGVsbG8=\u0007\u001b]2;hostile-title\u0007 nl\nx");
        mkdirSync(dir, { recursive: true });
        const r = await cli(["add-worker", "--type", "shell", "--project", dir, "--name", "pe"]);
        if (r.code === 2) {
          expect(r.stderr).toContain("U+001B");
          expectOneCleanLine(r.stderr);
          return;
        }
        expect(r.code).toBe(0);
        const out = await orch.ok(["status"]);
        for (const line of out.split("\n")) expect(line).not.toMatch(RAW_CONTROL);
        expect(out.split("\n").filter((l) => l.startsWith("pe ")).length).toBe(1);
      },
      TEST_MS,
    );
  });

  // ---- worker names ----

  describe("worker names", () => {
    const bad = [
      "a;b",
      "#{x}",
      "#(touch x)",
      "$(touch x)",
      "../x",
      "a/b",
      "a b",
      "%0",
      "@1",
      "a:b",
      ".a",
      "-t",
      "é",
      "a\nb",
      "a\u001b[2Jb",
      "x".repeat(64),
    ];
    for (const name of bad) {
      test(
        `${JSON.stringify(name)} is refused with exit 2`,
        async () => {
          const r = await cli(["add-worker", "--type", "shell", "--project", project, `--name=${name}`]);
          expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: "" });
          expect(r.stderr).toContain("bad worker name");
          expectOneCleanLine(r.stderr);
        },
        TEST_MS,
      );
    }

    test(
      "no worker was made by any of them, no canary",
      async () => {
        const names = (await status()).workers.map((w) => w.name);
        for (const name of bad) expect(names).not.toContain(name);
        expect(existsSync(canary)).toBe(false);
      },
      TEST_MS,
    );

    // `--name 007` must not make a worker named "7" (the CLI parser's number coercion)
    test(
      "a numeric-looking name is kept as typed (or refused)",
      async () => {
        const r = await cli(["add-worker", "--type", "shell", "--project", project, "--name", "007"]);
        if (r.code === 2) return;
        expect(r.stdout).toBe("007\n");
      },
      TEST_MS,
    );

    // `--name ""` must not make a worker named "0" (the empty string coerced to a number)
    test(
      'an empty --name "" is refused with exit 2',
      async () => {
        const r = await cli(["add-worker", "--type", "shell", "--project", project, "--name", ""]);
        expect(r.code).toBe(2);
      },
      TEST_MS,
    );
  });

  // ---- orch's own messages ----

  describe("messages that echo a bad value", () => {
    // BUG: the controller's messages interpolate the value raw ("unknown worker \"...\"",
    // "unknown agent type", "unknown command", "project directory ... does not exist"), so a
    // hostile value reaches the user's terminal: an OSC 52 clipboard write, a clear screen, a
    // second line. Each should be escaped (as "bad worker name" does with JSON.stringify, which
    // still leaves DEL and C1 raw).
    const cases: Array<[string, () => string[]]> = [
      ["unknown worker", () => ["send", "\u001b]52;c;aGVsbG8=\u0007\nsecond line", "true"]],
      ["unknown agent type", () => ["add-worker", "--type", "t\u001b[2J", "--project", project]],
      [
        "missing project",
        () => ["add-worker", "--type", "shell", "--project", `${project}/\u001b]2;x\u0007`],
      ],
      ["unknown command", () => ["\u009b2J"]],
      [
        "bad worker name with C1",
        () => ["add-worker", "--type", "shell", "--project", project, "--name", "a\u009b2J"],
      ],
    ];
    for (const [what, args] of cases) {
      // (main.ts prints every error through printable(); a name is quoted as JSON, so an LF in
      // it is "\n", not a second line)
      test(
        `${what}: one line, no raw control characters`,
        async () => {
          const r = await cli(args());
          expect(r.code).toBe(2);
          expectOneCleanLine(r.stderr);
        },
        TEST_MS,
      );
    }
  });

  // ---- plugin fields ----

  describe("plugin fields", () => {
    // (found here: description and version were printed raw by plugin add/list/show; every
    // plugin's fields are now refused with a control character, naming it)
    test(
      "terminal controls in a plugin's description are refused or never printed raw",
      async () => {
        const r = await addPlugin("loud.json", {
          name: "loud",
          description: "desc \u001b]52;c;aGVsbG8=\u0007 \u001b[2J",
          version: "1\u001b[31m",
          command: ["bash", "--norc", FAKE_AGENT, "{worker}"],
          detect: "screen",
          screen: { busy: "working\\.\\.\\.", idle: "^idle> $" },
        });
        if (r.code === 2) {
          expect(r.stderr).toContain("U+001B");
          expectOneCleanLine(r.stderr);
          return;
        }
        expect(r.stdout).not.toMatch(/[\x07\x1b\x9b]/);
        expect(await orch.ok(["plugin", "list"])).not.toMatch(/[\x07\x1b\x9b]/);
        expect(await orch.ok(["plugin", "show", "loud"])).not.toMatch(/[\x07\x1b\x9b]/);
      },
      TEST_MS,
    );

    // BUG: a one-word `command` goes to tmux new-window as ONE argument, which tmux runs with
    // `sh -c`: after `{project}` is replaced, a project path holding `$(...)` runs it. (It also
    // breaks a path with spaces.) Should exec the word as argv[0], like a longer command.
    test(
      "a one-word command with {project} never runs the path as shell",
      async () => {
        const planted = join(orch.root, "canary-one-word");
        const dir = join(orch.projects, `one $(touch ${planted}) word`);
        mkdirSync(dir, { recursive: true });
        copyFileSync(FAKE_AGENT, join(dir, "agent.sh"));
        chmodSync(join(dir, "agent.sh"), 0o755);
        const added = await addPlugin("oneword.json", {
          name: "oneword",
          description: "one-word command",
          version: "1",
          command: ["{project}/agent.sh"],
          detect: "screen",
          screen: { busy: "working\\.\\.\\.", idle: "^idle> $" },
        });
        expect(added.code).toBe(0);
        const r = await cli(["add-worker", "--type", "oneword", "--project", dir, "--name", "ow"]);
        expect(existsSync(planted)).toBe(false);
        expect(r.code).toBe(0);
      },
      TEST_MS,
    );
  });

  // ---- workflow values ----

  describe("workflow values", () => {
    let wf = "";
    const write = (name: string, spec: unknown) => {
      wf ||= orch.project("wf");
      const f = join(wf, name);
      // JSON is YAML: every hostile value is written with JSON's escapes
      writeFileSync(f, JSON.stringify(spec, null, 2));
      return f;
    };
    interface RunView {
      run: { id: string; status: string };
      steps: Array<{ name: string; status: string; reason: string | null; tasks: Array<{ id: string }> }>;
    }
    const lastRun = async () => {
      const view = (await orch.api<RunView>("GET", "/v1/runs/last")).body;
      return Object.fromEntries(view.steps.map((s) => [s.name, s]));
    };
    const outputOf = async (id: string) => (await orch.api<TaskJson>("GET", `/v1/tasks/${id}`)).body.output;
    const taskCount = async () => (await orch.api<TaskJson[]>("GET", "/v1/tasks")).body.length;

    test(
      "an ESC written into a step's text is refused before anything runs",
      async () => {
        const before = await taskCount();
        const f = write("raw-esc.yaml", {
          name: "raw",
          defaults: { type: "shell", timeout: 20, retries: 0 },
          steps: [{ name: "raw", project: "../agent", text: "echo \u001b]52;c;aGVsbG8=\u0007" }],
        });
        const r = await cli(["run", f]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(
          /raw-esc\.yaml:\d+:\d+: steps\[0\]\.text: .*control character U\+001B at offset 5/,
        );
        expectOneCleanLine(r.stderr);
        expect(await taskCount()).toBe(before);
      },
      TEST_MS,
    );

    test(
      "an ESC from a literal placeholder is refused, naming it; nothing is typed",
      async () => {
        const before = await taskCount();
        const f = write("literal-esc.yaml", {
          name: "literal",
          defaults: { type: "shell", timeout: 20, retries: 0 },
          steps: [{ name: "literal", project: "../agent", text: 'echo {{ "\\u001b[201~" }}' }],
        });
        const r = await cli(["run", f]);
        // refused when the step starts: the run fails (exit 1) with the reason
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/literal.*control character U\+001B at offset 5/);
        expect(r.stdout + r.stderr).not.toMatch(/[\x07\x1b]/);
        expect((await lastRun()).literal?.tasks).toEqual([]);
        expect(await taskCount()).toBe(before);
      },
      TEST_MS,
    );

    test(
      "a BEL in an earlier step's output is refused in the step that uses it, naming it",
      async () => {
        const before = await taskCount();
        const f = write("output-bel.yaml", {
          name: "bell",
          defaults: { type: "shell", timeout: 20, retries: 0 },
          steps: [
            { name: "bell", project: "../agent", text: "printf 'x\\007y'" },
            {
              name: "uses-bell",
              project: "../agent",
              needs: "bell",
              text: "echo {{ steps.bell.output | shell }}",
            },
          ],
        });
        const r = await cli(["run", f]);
        // the first step ran, so the refusal comes when the second starts: the run fails
        expect(r.code).toBe(1);
        expect(r.stdout + r.stderr).toMatch(/uses-bell.*control character U\+0007 at offset 7/);
        expect(r.stdout + r.stderr).not.toMatch(/[\x07\x1b]/);
        const steps = await lastRun();
        expect(steps.bell?.status).toBe("succeeded");
        expect(steps["uses-bell"]?.tasks).toEqual([]);
        expect(await taskCount()).toBe(before + 1);
      },
      TEST_MS,
    );

    // each step is submitted on its own: the scheduler refusing one step's text must not fail
    // the sibling step "fine" with the other step's reason
    test(
      "a refused step does not fail the steps started with it",
      async () => {
        const f = write("siblings.yaml", {
          name: "siblings",
          defaults: { type: "shell", timeout: 20, retries: 0 },
          steps: [
            { name: "literal", project: "../agent", text: 'echo {{ "\\u001b[201~" }}' },
            { name: "fine", project: "../agent", text: "echo fine" },
          ],
        });
        await cli(["run", f]);
        const steps = await lastRun();
        expect(steps.literal?.status).toBe("failed");
        expect({ status: steps.fine?.status, reason: steps.fine?.reason }).toEqual({
          status: "succeeded",
          reason: null,
        });
      },
      TEST_MS,
    );

    test("#{}, ';', quotes, $() and unicode in project, outputs and literals arrive exactly", async () => {
      const dir = hostileDir();
      const value = fill(
        "#{pane_id}; kill-server \\; run-shell 'touch {CANARY}' \"dq\" $(touch {CANARY}) #(touch {CANARY}) 日本 👩‍💻 %end 1 2 0",
      );
      const f = write("exact.yaml", {
        name: "exact",
        defaults: { type: "shell", timeout: 20, retries: 0, project: dir },
        steps: [
          { name: "one", text: heredoc(value) },
          { name: "quoted", needs: "one", text: "printf '%s' {{ steps.one.output | shell }}" },
          { name: "raw", needs: "one", text: `cat <<'${TAG}'\n{{ steps.one.output }}\n${TAG}` },
          { name: "project", text: "printf '%s' {{ project | shell }}" },
          { name: "literal", text: `printf '%s' {{ ${JSON.stringify(value)} | shell }}` },
        ],
      });
      const r = await cli(["run", f]);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      const steps = await lastRun();
      const out = async (step: string) => outputOf(steps[step]!.tasks[0]!.id);
      expect(await out("one")).toBe(`${value}\n`);
      expect(await out("quoted")).toBe(value);
      expect(await out("raw")).toBe(`${value}\n`);
      expect(await out("project")).toBe(dir);
      expect(await out("literal")).toBe(value);
      expect(existsSync(canary)).toBe(false);
    }, 60_000);
  });

  test(
    "at the end: no canary, the controller is the same process, every window is a live worker's",
    async () => {
      expect(existsSync(canary)).toBe(false);
      const st = await status();
      expect(st.controller.pid).toBe(controllerPid);
      const live = st.workers.filter((w) => w.state !== "dead" && w.state !== "error");
      for (const name of ["a1", "b1", "f1", "pp", "fp"]) expect(live.map((w) => w.name)).toContain(name);
      // a worker in error may keep its window (to show what the agent printed)
      const known = new Set(["controller", ...st.workers.map((w) => `${w.type}-${w.name}`)]);
      for (const w of windows()) expect(known).toContain(w);
      for (const w of live) expect(windows()).toContain(`${w.type}-${w.name}`);
      expect((await apiSend("a1", "echo still-fine")).body.output).toBe("still-fine\n");
      const r: RunResult = await cli(["status"]);
      expect(r.code).toBe(0);
    },
    TEST_MS,
  );
});
