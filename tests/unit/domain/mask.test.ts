import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Masker, secretEnvValues } from "../../../src/core/domain/mask/masker.ts";
import { BUILTIN_RULES } from "../../../src/core/domain/mask/rules.ts";
import corpus from "../../fixtures/secrets/corpus.json";

const masker = new Masker([], []);

/** Each corpus secret as a task would print it. */
const printed = corpus.secrets.map((s) => ({
  kind: s.kind,
  value: s.value,
  text: "line" in s && s.line ? s.line.replace("%s", s.value) : s.value,
}));

describe("built-in rules", () => {
  for (const s of printed) {
    test(`${s.kind}: ${s.text.slice(0, 24)}...`, () => {
      const out = masker.mask(`before ${s.text} after\n`);
      expect(out).not.toContain(s.value);
      expect(out).toContain(`[MASKED:${s.kind}]`);
      expect(out.startsWith("before ")).toBe(true);
      expect(out.endsWith(" after\n")).toBe(true);
    });
  }

  test("NAME=value keeps the name and the quotes", () => {
    expect(masker.mask("export DB_PASSWORD='s3cr3t!x'")).toBe("export DB_PASSWORD='[MASKED:secret]'");
    expect(masker.mask('{"api_key": "abcd1234"}')).toBe('{"api_key": "[MASKED:secret]"}');
    expect(masker.mask("Authorization: Bearer abcdefghijklmnopqrstuvwxyz")).toBe(
      "Authorization: Bearer [MASKED:bearer]",
    );
  });

  test("ordinary text is left alone", () => {
    const text = [
      "$ ls -la\ntotal 8\n-rw-r--r-- 1 me me 0 Nov 24 main.ts",
      "author=Jane Doe; tokens: 3 used", // a name that only starts like one, a short value
      "TOKEN_URL=https://example.com/token", // TOKEN_URL is not a secret's name
      "sk-learn is a library", // too short for a key
      "---END-OF-OUTPUT-a1b2c3-0---",
      // a marker with its nonce (20 hex digits)
      "---END-OF-OUTPUT-0f8fad5b-d9cb-469f-a165-70867728950e-0-3f0c9a1b2c4d5e6f7a8b---",
      "日本語のテキスト 🙂 \t tabs",
    ].join("\n");
    expect(masker.mask(text)).toBe(text);
  });

  test("the end of a key block whose start scrolled off a screen is masked with its body lines", () => {
    expect(masker.mask("$ cat k\nAAAAB3Nza+/x=\nQQQQ\n-----END OPENSSH PRIVATE KEY-----\n$ ")).toBe(
      "$ cat k\n[MASKED:private-key]\n$ ",
    );
  });

  test("an unterminated private key is masked to the end", () => {
    expect(masker.mask("key:\n-----BEGIN PRIVATE KEY-----\nMIIEv...")).toBe("key:\n[MASKED:private-key]");
  });
});

describe("user rules and literal values", () => {
  test("a user rule masks its match, or only its group", () => {
    const m = new Masker(
      [
        { name: "ticket", source: "TKT-[0-9]{8}" },
        { name: "pin", source: "pin ([0-9]{4,})" },
      ],
      [],
    );
    expect(m.mask("see TKT-12345678, pin 98765.")).toBe("see [MASKED:ticket], pin [MASKED:pin].");
  });

  test("literal values are masked wherever they appear, longest first", () => {
    const m = new Masker([], ["my-plain-value", "my-plain-value-longer", "a.b*c"]);
    expect(m.mask("x my-plain-value-longer y my-plain-value z a.b*c")).toBe(
      "x [MASKED:env] y [MASKED:env] z [MASKED:env]",
    );
  });

  test("secretEnvValues takes secret-looking names with long enough values", () => {
    expect(
      secretEnvValues({
        ANTHROPIC_API_KEY: "fake-key-123",
        GITHUB_TOKEN: "tok-abcdefgh",
        DB_PASSWORD: "short",
        HOME: "/home/someone",
        SSH_AUTH_SOCK: "/tmp/ssh-agent.sock",
      }).sort(),
    ).toEqual(["fake-key-123", "tok-abcdefgh"]);
  });
});

describe("properties", () => {
  const plainText = fc
    .string({ unit: "grapheme", maxLength: 200 })
    .filter((s) => !/[=:]|sk-|Bearer|eyJ|PRIVATE|AKIA|AIza|xox|gh[pousr]_|github_pat_|hooks\.slack/i.test(s));

  test("text without secrets comes back unchanged", () => {
    fc.assert(
      fc.property(plainText, (s) => masker.mask(s) === s),
      { numRuns: 500 },
    );
  });

  test("a secret between any texts is masked and the texts around it are kept", () => {
    const secret = fc.constantFrom(...printed.filter((p) => p.text === p.value));
    fc.assert(
      fc.property(plainText, secret, plainText, (a, s, b) => {
        const out = masker.mask(`${a} ${s.value} ${b}`);
        return !out.includes(s.value) && out.startsWith(`${a} `) && out.endsWith(` ${b}`);
      }),
      { numRuns: 300 },
    );
  });

  test("a rule's hint matches wherever its pattern does (it only spares the full pattern's scan)", () => {
    const texts = fc.oneof(
      fc.constantFrom(...printed.map((p) => p.text)),
      fc
        .tuple(plainText, fc.constantFrom(...printed.map((p) => p.text)), plainText)
        .map(([a, t, b]) => `${a}${t}${b}`),
      fc
        .tuple(fc.constantFrom("API_KEY", "db.Password", "x-auth", "Token"), plainText)
        .map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(texts, (t) =>
        BUILTIN_RULES.every((r) => {
          if (!r.hint || !new RegExp(r.source, r.flags ?? "").test(t)) return true;
          return new RegExp(r.hint, r.flags ?? "").test(t);
        }),
      ),
      { numRuns: 1000 },
    );
  });

  test("every case-insensitive built-in rule has a plain lowercase hint (the pane-log filter's fast path)", () => {
    const ci = BUILTIN_RULES.filter((r) => r.flags === "i");
    expect(ci.length).toBeGreaterThan(0);
    for (const r of ci) expect(r.hint ?? "").toMatch(/^[a-z0-9_|()?:[\]-]+$/);
  });

  test("masking is idempotent", () => {
    const any = fc.oneof(plainText, fc.constantFrom(...printed.map((p) => p.text)));
    fc.assert(
      fc.property(fc.array(any, { maxLength: 5 }), (parts) => {
        const once = masker.mask(parts.join("\n"));
        return masker.mask(once) === once;
      }),
      { numRuns: 300 },
    );
  });
});
