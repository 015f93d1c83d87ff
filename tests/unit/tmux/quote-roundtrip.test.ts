/**
 * quoteArg against the real tmux: each string goes in with `set-buffer -b q -- <quoteArg(s)>` over
 * control mode and comes back through `show-buffer` (tmux prints it vis-escaped) and
 * `save-buffer` (exact bytes). A private server on a temp socket, killed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { quoteArg, tmuxCommand } from "../../../src/core/tmux/quote.ts";
import { ControlClient, type Response, TmuxServer } from "./harness.ts";
import { randomString, rng } from "./random-strings.ts";

let server: TmuxServer;
let client: ControlClient;

beforeAll(async () => {
  server = new TmuxServer("quote");
  client = new ControlClient(server, "quote");
  await client.attached;
});

afterAll(async () => {
  await client?.close().catch(() => {});
  server?.kill();
});

/** Undoes the escaping `show-buffer` applies for a control client (C-style and octal). */
function unvis(text: string): string {
  const named: Record<string, string> = {
    a: "\x07",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
    v: "\v",
    s: " ",
  };
  const bytes: number[] = [];
  const raw = new TextEncoder().encode(text);
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x5c) {
      bytes.push(b);
      continue;
    }
    const next = String.fromCharCode(raw[i + 1] ?? 0);
    const octal = new TextDecoder().decode(raw.subarray(i + 1, i + 4));
    if (/^[0-3][0-7][0-7]$/.test(octal)) {
      bytes.push(Number.parseInt(octal, 8));
      i += 3;
    } else if (next in named) {
      bytes.push(named[next]!.charCodeAt(0));
      i += 1;
    } else if ('\\$"`'.includes(next)) {
      bytes.push(next.charCodeAt(0));
      i += 1;
    } else {
      throw new Error(`unknown escape \\${next} in ${JSON.stringify(text)}`);
    }
  }
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(Uint8Array.from(bytes));
}

/** Sends every command at once (answers come in order) and waits for all answers. */
function runAll(lines: string[]): Promise<Response[]> {
  return Promise.all(lines.map((line) => client.command(line, 30_000)));
}

describe("quoteArg round-trips through tmux", () => {
  test("a few hundred random strings", async () => {
    const next = rng(20240611);
    const values = [
      "~",
      "~/x",
      "~root",
      "$HOME",
      "$" + "{HOME}",
      "#{session_name}",
      "a;",
      ";",
      "\\;",
      "-",
      "--",
      "%if",
      " lead and trail ",
      '"',
      ...Array.from({ length: 400 }, () => randomString(next)),
    ];
    const file = (i: number) => join(server.dir, `b${i}.bin`);
    const lines = values.flatMap((v, i) => [
      `set-buffer -b q -- ${quoteArg(v)}`,
      tmuxCommand("show-buffer", "-b", "q"),
      tmuxCommand("save-buffer", "-b", "q", file(i)),
    ]);
    // The fence: save-buffer holds the command queue until its file is written.
    const answers = await runAll([...lines, "display-message -p fence"]);
    const failed = answers.filter((a) => !a.ok);
    expect(failed).toEqual([]);
    values.forEach((v, i) => {
      expect({ v, saved: readFileSync(file(i), "utf8") }).toEqual({ v, saved: v });
      expect({ v, shown: unvis(answers[3 * i + 1]!.lines.join("\n")) }).toEqual({ v, shown: v });
    });
  });

  test("the empty string, through a user option", async () => {
    const [set, show] = await runAll([
      tmuxCommand("set-option", "-g", "@orch_q", ""),
      tmuxCommand("show-options", "-gqv", "@orch_q"),
    ]);
    expect(set?.ok).toBe(true);
    expect(show?.lines).toEqual([""]);
  });

  test("a 100 KB argument on one command line", async () => {
    const next = rng(99);
    let big = "";
    while (big.length < 100_000) big += randomString(next, 64);
    const file = join(server.dir, "big.bin");
    const answers = await runAll([
      `set-buffer -b big -- ${quoteArg(big)}`,
      tmuxCommand("save-buffer", "-b", "big", file),
      "display-message -p fence",
    ]);
    expect(answers.map((a) => a.ok)).toEqual([true, true, true]);
    expect(readFileSync(file, "utf8") === big).toBe(true);
  });

  test("quoted flags, ids and `--` are read as such", async () => {
    const [r] = await runAll([tmuxCommand("display-message", "-p", "-t", "%0", "--", "#{pane_id}")]);
    expect(r?.lines).toEqual(["%0"]);
  });
});
