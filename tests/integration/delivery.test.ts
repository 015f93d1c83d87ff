import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OrchHarness } from "../helpers/orch-harness.ts";

/** Text that must survive the trip into the pane and back, byte for byte. */
const PAYLOADS: Record<string, string> = {
  tabs: "a\tb\t\tc",
  bang: "echo !! and !$ and !-1 and a!b",
  quotes: `single ' double " back \` mixed '"'"'`,
  semicolons: "a; b;; c;",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${HOME}, sent as text
  substitution: "$(whoami) `id` ${HOME} $((1+2)) $HOME",
  backslashes: "\\ \\\\ \\n \\t \\x41 C:\\path\\",
  tmuxFormats: "#{pane_id} #{session_name} ## #[fg=red] #(date)",
  leadingDash: "-n -e --help -",
  emoji: "🚀 👩‍💻 🇯🇵 ✅",
  cjk: "日本語のテキスト 中文 한국어",
  percent: "%s %d %% %1 %output",
  braces: "{a,b} [x] *.ts ~ ~/x",
  markerLike: "---END-OF-OUTPUT-not-this-one-0--- ---START-OF-OUTPUT-x---",
};

describe("the shell worker delivers text and returns output exactly", () => {
  const orch = new OrchHarness("src");
  beforeAll(async () => {
    await orch.startWithWorker("w");
  }, 60_000);
  afterAll(() => orch.cleanup(), 30_000);

  for (const [name, payload] of Object.entries(PAYLOADS)) {
    test(`heredoc round trip: ${name}`, async () => {
      const t = await orch.sendWait("w", `cat <<'ORCH_EOF'\n${payload}\nORCH_EOF`);
      expect(t.status).toBe("succeeded");
      expect(t.output).toBe(`${payload}\n`);
    });
  }

  test("all payloads in one printf '%s' argument (no trailing newline)", async () => {
    const all = Object.values(PAYLOADS).join(" | ");
    const quoted = `'${all.replaceAll("'", "'\\''")}'`;
    const t = await orch.sendWait("w", `printf '%s' ${quoted}`);
    expect(t.output).toBe(all);
  });

  test("shell syntax in the task works as typed", async () => {
    expect((await orch.sendWait("w", "echo $(( 6 * 7 )); echo a!b")).output).toBe("42\na!b\n");
    expect((await orch.sendWait("w", "printf -- '-n\\n'")).output).toBe("-n\n");
    expect((await orch.sendWait("w", 'x=1; echo "$x;"; # a comment')).output).toBe("1;\n");
  });

  test("100 KB of text arrives and comes back unchanged", async () => {
    const line = (i: number) => `${i.toString().padStart(5, "0")} ${"αβγ 日本 🚀 \t'\"$\\;#{x}".repeat(3)}`;
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 100_000; i++) {
      lines.push(line(i));
      size += Buffer.byteLength(line(i)) + 1;
    }
    const text = lines.join("\n");
    const t = await orch.sendWait("w", `cat <<'ORCH_EOF'\n${text}\nORCH_EOF`, 60);
    expect(t.status).toBe("succeeded");
    expect(t.output?.length).toBe(text.length + 1);
    expect(t.output).toBe(`${text}\n`);
  });

  test("a single 20 KB line arrives unchanged", async () => {
    const text = "x#{y};'\"\t!".repeat(2000);
    const t = await orch.sendWait("w", `cat <<'ORCH_EOF'\n${text}\nORCH_EOF`, 60);
    expect(t.output).toBe(`${text}\n`);
  });

  test("a 1,000-line command runs every line", async () => {
    const cmd = Array.from({ length: 1000 }, (_, i) => `echo "line ${i} $((${i} * 2))"`).join("\n");
    const t = await orch.sendWait("w", cmd, 60);
    const expected = Array.from({ length: 1000 }, (_, i) => `line ${i} ${i * 2}\n`).join("");
    expect(t.status).toBe("succeeded");
    expect(t.output).toBe(expected);
  });

  test("CRLF from the command becomes LF; ANSI colours are removed", async () => {
    const t = await orch.sendWait("w", "printf 'a\\r\\nb\\n'; printf '\\033[31mred\\033[0m\\n'");
    expect(t.output).toBe("a\nb\nred\n");
  });

  test("output with no newline at the end is kept as is", async () => {
    expect((await orch.sendWait("w", "printf 'no-newline'")).output).toBe("no-newline");
    expect((await orch.sendWait("w", "true")).output).toBe("");
  });
});
