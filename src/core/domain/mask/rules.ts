/**
 * The secret formats orch masks by itself. Each pattern is written in the subset of regular
 * expression syntax that JavaScript and Perl read the same way, because the same table drives
 * the masker inside the controller and the filter that writes pane logs (see
 * runtime/mask-filter.ts). A pattern with one capture group masks only that group.
 */

/** One kind of secret: what it is called in `[MASKED:name]` and how to find it. */
export interface MaskRule {
  name: string;
  /** Regular expression source (JavaScript and Perl compatible). */
  source: string;
  /** "i": case-insensitive. */
  flags?: "i";
  /**
   * A cheap pattern (same flags) every match contains: text without it skips the rule. The
   * filter masks every line a pane prints, so rules must not cost much on ordinary lines.
   */
  hint?: string;
}

/** A PEM private key block, kept apart: it spans lines, so the stream filter handles it itself. */
export const PEM_BEGIN = "-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----";
export const PEM_END = "-----END[A-Z0-9 ]*PRIVATE KEY-----";
export const PEM_RULE_NAME = "private-key";

/** Secret values stop at whitespace, quotes and separators; never the start of an end marker or a mask. */
const VALUE = "(?!-{3})(?!\\[MASKED)(?!(?:Bearer|Basic|Token)\\s)([^\\s\"'`,;]{4,})";

/**
 * Names of settings and variables that hold secrets: `API_KEY`, `github_token`,
 * `DB_PASSWORD`, `client-secret`, `aws_secret_access_key`, `Authorization`.
 */
const SECRET_WORD =
  "(?:api[_-]?key|secret|token|passw(?:or)?d|credentials?|private[_-]?key|access[_-]?key|authorization|auth)";
export const SECRET_NAME = `[A-Za-z0-9_.-]*${SECRET_WORD}`;

/** Plain words every {@link SECRET_WORD} starts with: a hint Perl can scan as one fast trie. */
const SECRET_WORD_HINT = "api|secret|token|passw|credential|private|access|auth";

/**
 * The built-in rules, most specific first (a value masked by one is not seen by the next).
 *
 * @example
 * ```ts
 * BUILTIN_RULES.map((r) => r.name); // ["anthropic", "openai", "github", ...]
 * ```
 */
export const BUILTIN_RULES: readonly MaskRule[] = [
  { name: "anthropic", hint: "\\bsk-ant-", source: "\\bsk-ant-[A-Za-z0-9_-]{20,}" },
  { name: "openai", hint: "\\bsk-", source: "\\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}" },
  {
    name: "github",
    hint: "gh[pousr]_|github_pat_",
    source: "\\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
  },
  { name: "aws-access-key", hint: "A[KSBC][IC]A", source: "\\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\\b" },
  { name: "google-api-key", hint: "AIza", source: "\\bAIza[0-9A-Za-z_-]{35}" },
  { name: "slack", hint: "xox", source: "\\bxox[abposr]-[A-Za-z0-9-]{10,}" },
  {
    name: "slack-webhook",
    hint: "hooks\\.slack",
    source: "https://hooks\\.slack\\.com/services/[A-Za-z0-9/_-]+",
  },
  { name: "jwt", hint: "eyJ", source: "\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}" },
  { name: "bearer", hint: "bearer", source: "\\bBearer\\s+([A-Za-z0-9._~+/=-]{16,})", flags: "i" },
  // a name ending in a secret word; matched from the word (a leading `\\b[A-Za-z0-9_.-]*` would
  // backtrack over every word of the text: 40x slower). The hint is the start of the word:
  // most output has a ":" or "=" somewhere, far less of it a secret word.
  {
    name: "secret",
    hint: SECRET_WORD_HINT,
    source: `${SECRET_WORD}["']?\\s*[:=]\\s*["']?${VALUE}`,
    flags: "i",
  },
];

/**
 * Environment variables whose values are masked wherever they show up: names that look secret
 * (as {@link SECRET_NAME}, whole name), with values of 8 characters or more.
 */
export const SECRET_ENV_NAME = `^${SECRET_NAME}$`;
export const MIN_SECRET_ENV_VALUE = 8;
