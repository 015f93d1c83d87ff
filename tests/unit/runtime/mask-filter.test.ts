import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Masker } from "../../../src/core/domain/mask/masker.ts";
import { installMaskFilter } from "../../../src/core/runtime/mask-filter.ts";
import corpus from "../../fixtures/secrets/corpus.json";
import { waitFor } from "../../helpers/orch-harness.ts";

const dir = mkdtempSync(join(tmpdir(), "orch-mask-filter-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const userRules = [{ name: "ticket", source: "TKT-[0-9]{8}" }];
const filter = join(dir, "mask-filter.pl");
const installError = installMaskFilter(filter, userRules);
const masker = new Masker(userRules, []);

/** Runs the filter over `chunks`, written one at a time with a pause, as a pane's output comes. */
async function runFilter(
  chunks: string[],
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<string> {
  const p = Bun.spawn(["perl", filter, ...args], {
    stdin: "pipe",
    stdout: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  for (const c of chunks) {
    p.stdin.write(c);
    await p.stdin.flush();
    await Bun.sleep(1); // pacing so the filter likely reads chunk by chunk; no result depends on it
  }
  await p.stdin.end();
  const out = await new Response(p.stdout).text();
  await p.exited;
  return out;
}

const texts = corpus.secrets.map((s) => ("line" in s && s.line ? s.line.replace("%s", s.value) : s.value));

describe("pane-log mask filter (perl)", () => {
  test("installs and runs with user rules", () => {
    expect(installError).toBeNull();
  });

  test("a rule perl cannot compile is reported", () => {
    const error = installMaskFilter(join(dir, "bad.pl"), [{ name: "bad", source: "(?<=a+)b" }]);
    expect(error).toMatch(/perl cannot use the masking rules/);
  });

  test("each corpus secret, split in the middle across two chunks, is masked", async () => {
    for (const t of texts) {
      const whole = `before ${t} after\n`;
      const cut = 7 + Math.floor(t.length / 2);
      const out = await runFilter([whole.slice(0, cut), whole.slice(cut)]);
      expect(out).toBe(masker.mask(whole));
      expect(out).toContain("[MASKED:");
    }
  });

  test("values of secret-looking variables (its own and the pane process's) are masked", async () => {
    const child = Bun.spawn(["sleep", "30"], { env: { PANE_API_TOKEN: "pane-only-value-123" } });
    try {
      const out = await runFilter(
        ["a own-value-456789 b pane-only-", "value-123 c\n"],
        { MY_SERVICE_TOKEN: "own-value-456789" },
        [String(child.pid)],
      );
      expect(out).toBe("a [MASKED:env] b [MASKED:env] c\n");
    } finally {
      child.kill();
    }
  });

  test("case-insensitive rules match in any case (a lowercase hint is tried on the lowercased line)", async () => {
    const lines = "API_KEY=abcd12345\nPassWord: hunter2222\nauthorization: BEARER abcdefghijklmnop1234\n";
    expect(await runFilter([lines])).toBe(masker.mask(lines));
    expect(await runFilter([lines])).not.toMatch(/abcd12345|hunter2222|abcdefghijklmnop1234/);
    // a user rule's hint: lowercase (tried on the lowercased line) or not (tried with /i)
    for (const hint of ["tkt-", "Tkt-"]) {
      const file = join(dir, `ci-${hint}.pl`);
      expect(installMaskFilter(file, [{ name: "ci", source: "tkt-[0-9]{4}", flags: "i", hint }])).toBeNull();
      const p = Bun.spawn(["perl", file], { stdin: "pipe", stdout: "pipe" });
      p.stdin.write("a TKT-1234 b tkt-5678 c\n");
      await p.stdin.end();
      expect(await new Response(p.stdout).text()).toBe("a [MASKED:ci] b [MASKED:ci] c\n");
    }
  });

  test("a pane that keeps writing: the first line is out at once, the later ones soon after, none held back", async () => {
    const p = Bun.spawn(["perl", filter], { stdin: "pipe", stdout: "pipe" });
    const reader = p.stdout.getReader();
    const decoder = new TextDecoder();
    let out = "";
    const until = async (text: string) => {
      const timeout = Bun.sleep(5000).then(() => null);
      while (!out.includes(text)) {
        const r = await Promise.race([reader.read(), timeout]);
        if (!r || r.done)
          throw new Error(`the filter did not write ${JSON.stringify(text)}; wrote ${JSON.stringify(out)}`);
        out += decoder.decode(r.value, { stream: true });
      }
    };
    try {
      for (let i = 0; i < 5; i++) {
        p.stdin.write(`line ${i} ghp_${"b".repeat(36)}\n`);
        await p.stdin.flush();
        await until(`line ${i} [MASKED:github]\n`); // stdin still open: nothing waits for the end
      }
    } finally {
      await p.stdin.end();
      await p.exited;
    }
    expect(out).not.toContain("ghp_");
  });

  test("given a log file, it appends there (0600) and follows a rename: a rotation needs no new pipe", async () => {
    const log = join(dir, "w.log");
    const p = Bun.spawn(["perl", filter, "0", log], { stdin: "pipe", stdout: "pipe" });
    const has = (file: string, text: string) => existsSync(file) && readFileSync(file, "utf8").includes(text);
    try {
      p.stdin.write(`one ghp_${"c".repeat(36)}\n`);
      await p.stdin.flush();
      await waitFor("the first line in the log", () => has(log, "one [MASKED:github]\n"), 5000);
      expect(statSync(log).mode & 0o777).toBe(0o600);
      renameSync(log, `${log}.1`); // what a rotation does, and nothing else
      p.stdin.write("two\n");
      await p.stdin.flush();
      await waitFor("the line after the rename in a new log", () => has(log, "two\n"), 5000);
      p.stdin.write("three\n");
    } finally {
      await p.stdin.end();
      await p.exited;
    }
    expect(readFileSync(`${log}.1`, "utf8")).toBe("one [MASKED:github]\n");
    expect(readFileSync(log, "utf8")).toBe("two\nthree\n");
    expect(statSync(log).mode & 0o777).toBe(0o600);
    expect(await new Response(p.stdout).text()).toBe("");
  });

  test("a line without an end is written at the end of the stream; a huge one in parts", async () => {
    expect(await runFilter(["prompt $ "])).toBe("prompt $ ");
    const long = `${"word ".repeat(30_000)}ghp_${"a".repeat(36)} end`;
    const out = await runFilter([long.slice(0, 70_000), long.slice(70_000)]);
    expect(out.length).toBeGreaterThan(150_000);
    expect(out).not.toContain(`ghp_${"a".repeat(36)}`);
  });

  test("property: any chunking of any text gives what the controller's masker gives for the whole", async () => {
    const piece = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => s.replace(/[\s\u0085\u2028\u2029]/gu, " ")),
      fc.constantFrom(...texts),
      fc.constant("\n"),
      fc.constant("TKT-12345678"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (parts, cuts) => {
          const text = `${parts.join(" ")}\n`;
          const bytes = Buffer.from(text);
          const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const c of [...at, bytes.length]) {
            chunks.push(bytes.subarray(from, c));
            from = c;
          }
          // chunks cut inside a UTF-8 sequence go as bytes; the filter reads bytes
          const p = Bun.spawn(["perl", filter], { stdin: "pipe", stdout: "pipe" });
          for (const c of chunks) {
            p.stdin.write(c);
            await p.stdin.flush();
          }
          await p.stdin.end();
          const out = await new Response(p.stdout).text();
          await p.exited;
          expect(out).toBe(masker.mask(text));
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);
});
