import {
  BUILTIN_RULES,
  type MaskRule,
  MIN_SECRET_ENV_VALUE,
  PEM_BEGIN,
  PEM_END,
  PEM_RULE_NAME,
  SECRET_ENV_NAME,
} from "./rules.ts";

/** What a masked secret is replaced with. */
export function maskLabel(rule: string): string {
  return `[MASKED:${rule}]`;
}

interface Compiled {
  label: string;
  re: RegExp;
  grouped: boolean;
  hint: RegExp | null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compile(rule: MaskRule): Compiled {
  const groups = (new RegExp(`${rule.source}|`).exec("")?.length ?? 1) - 1;
  const flags = `g${rule.flags ?? ""}${groups > 0 ? "d" : ""}`;
  return {
    label: maskLabel(rule.name),
    re: new RegExp(rule.source, flags),
    grouped: groups > 0,
    hint: rule.hint ? new RegExp(rule.hint, rule.flags ?? "") : null,
  };
}

/**
 * The values of the environment variables that look secret (`ANTHROPIC_API_KEY`,
 * `GITHUB_TOKEN`, `DB_PASSWORD`), 8 characters or longer.
 *
 * @example
 * ```ts
 * secretEnvValues({ OPENAI_API_KEY: "k-123456789", HOME: "/home/me" }); // ["k-123456789"]
 * ```
 */
export function secretEnvValues(env: Record<string, string | undefined>): string[] {
  const name = new RegExp(SECRET_ENV_NAME, "i");
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (v && v.length >= MIN_SECRET_ENV_VALUE && name.test(k)) out.push(v);
  }
  return out;
}

/**
 * Replaces secrets in text with `[MASKED:kind]`: the built-in formats (API keys of Anthropic,
 * OpenAI, GitHub, AWS, Google, Slack; JWTs; PEM private keys; `NAME=value` for names that look
 * secret), the user's rules, and literal values (those of the secret environment variables
 * orch passes to agents). Text around a secret is never changed.
 *
 * @example
 * ```ts
 * const m = new Masker([], ["hunter2hunter2"]);
 * m.mask("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"); // "key [MASKED:anthropic]"
 * m.mask("export DB_PASSWORD=s3cr3t!"); // "export DB_PASSWORD=[MASKED:secret]"
 * m.mask("pw is hunter2hunter2"); // "pw is [MASKED:env]"
 * ```
 */
export class Masker {
  private readonly rules: Compiled[];
  private readonly literal: RegExp | null;
  private readonly pem = new RegExp(`${PEM_BEGIN}[\\s\\S]*?(?:${PEM_END}|$)`, "g");
  /** The end of a key block whose start is not in the text (a screen scrolled past it). */
  private readonly pemTail = new RegExp(`(?:^[A-Za-z0-9+/=]+\\r?\\n)*${PEM_END}`, "gm");

  constructor(userRules: readonly MaskRule[], literals: readonly string[]) {
    this.rules = [...BUILTIN_RULES, ...userRules].map(compile);
    const values = [...new Set(literals.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
    this.literal = values.length ? new RegExp(values.map(escapeRegExp).join("|"), "g") : null;
  }

  /** `text` with every secret replaced by its label. */
  mask(text: string): string {
    let s = text;
    if (this.literal) s = s.replace(this.literal, maskLabel("env"));
    if (s.includes("PRIVATE KEY-----")) {
      s = s.replace(this.pem, maskLabel(PEM_RULE_NAME)).replace(this.pemTail, maskLabel(PEM_RULE_NAME));
    }
    for (const r of this.rules) {
      if (r.hint && !r.hint.test(s)) continue;
      r.re.lastIndex = 0;
      if (!r.re.test(s)) continue;
      r.re.lastIndex = 0;
      s = r.grouped ? replaceGroup(s, r) : s.replace(r.re, r.label);
    }
    return s;
  }
}

/** Replaces only the rule's capture group of each match, keeping the rest of the match. */
function replaceGroup(s: string, r: Compiled): string {
  let out = "";
  let at = 0;
  for (const m of s.matchAll(r.re)) {
    const span = m.indices?.[1];
    if (!span) continue;
    out += s.slice(at, span[0]) + r.label;
    at = span[1];
  }
  return out + s.slice(at);
}
