import { describe, expect, test } from "bun:test";
import { cac } from "cac";
import { markLiteral, unmarkLiteral, unmarkMessage } from "../../../src/cli/literal-argv.ts";

/** Parses like main.ts does: marked, then unmarked. */
function parse(argv: string[], takesValue: ReadonlySet<string> = new Set()) {
  const cli = cac("orch");
  cli.option("--json", "json");
  cli.command("send <worker> [...text]").option("--wait", "wait").option("--timeout <sec>", "timeout");
  cli.command("add-worker").option("--name <name>", "name");
  cli.parse(["orch", "orch", ...markLiteral(argv, takesValue)], { run: false });
  return { args: unmarkLiteral(cli.args), options: unmarkLiteral(cli.options) };
}

describe("markLiteral", () => {
  test("numeric-looking words get a leading NUL; others, flags and words after -- do not", () => {
    expect(markLiteral(["send", "w", "--json", "007", "1e3", "x", "", "--", "42"])).toEqual([
      "send",
      "w",
      "--json",
      "\u0000007",
      "\u00001e3",
      "x",
      "\u0000",
      "--",
      "42",
    ]);
  });

  test("a numeric value after = is marked, the flag is not", () => {
    expect(markLiteral(["--name=007", "--home=/x", "-5"])).toEqual(["--name=\u0000007", "--home=/x", "-5"]);
  });
});

describe("parsed as typed", () => {
  test.each(["007", "1.50", "1e3", "0x1f", " "])("text %p after a boolean flag", (word) => {
    const r = parse(["send", "w", "--json", word]);
    expect(r.args).toEqual(["w", word]);
    expect(r.options.json).toBe(true);
  });

  test("an option's numeric value stays a string", () => {
    expect(parse(["add-worker", "--name", "007"]).options.name).toBe("007");
    expect(parse(["add-worker", "--name=1e3"]).options.name).toBe("1e3");
    expect(parse(["send", "w", "--timeout", "2.50", "x"]).options.timeout).toBe("2.50");
  });

  test('an empty value is "" (not 0)', () => {
    expect(parse(["add-worker", "--name", ""]).options.name).toBe("");
  });

  test('"false" after a boolean flag is text, not the flag\'s value', () => {
    const r = parse(["send", "w", "--wait", "false"]);
    expect(r.args).toEqual(["w", "false"]);
    expect(r.options.wait).toBe(true);
  });

  test("a negative number after a flag that takes a value is that value, not a flag of its own", () => {
    const flags = new Set(["--timeout", "--name"]);
    expect(markLiteral(["send", "w", "--timeout", "-1", "x"], flags)).toEqual([
      "send",
      "w",
      "--timeout",
      "\u0000-1",
      "x",
    ]);
    expect(parse(["send", "w", "x", "--timeout", "-1"], flags).options.timeout).toBe("-1");
    expect(parse(["send", "w", "x", "--timeout", "-0.5"], flags).options.timeout).toBe("-0.5");
    // without the flag set (or after a boolean flag, or not a number) it stays a flag
    expect(markLiteral(["send", "w", "--timeout", "-1"])).toEqual(["send", "w", "--timeout", "-1"]);
    expect(markLiteral(["send", "w", "--wait", "-1"], flags)).toEqual(["send", "w", "--wait", "-1"]);
    expect(markLiteral(["send", "w", "--timeout", "-x"], flags)).toEqual(["send", "w", "--timeout", "-x"]);
  });

  test("words after -- are kept", () => {
    expect(parse(["send", "w", "--", "007", "--json"]).options["--"]).toEqual(["007", "--json"]);
  });
});

describe("unmarkLiteral", () => {
  test("walks arrays and objects, takes one mark off", () => {
    expect(unmarkLiteral({ a: "\u00007", b: ["\u0000", "x"], c: { d: "\u0000\u00001" }, e: 3 })).toEqual({
      a: "7",
      b: ["", "x"],
      c: { d: "\u00001" },
      e: 3,
    });
  });

  test("messages lose every mark", () => {
    expect(unmarkMessage("Unused args: `\u0000007`")).toBe("Unused args: `007`");
  });
});
