/**
 * What Codex CLI's TUI shows in each state (see tests/fixtures/screens/codex). The idle
 * placeholder stays visible while it works, so only "esc to interrupt" tells busy from idle.
 */
import { betweenPrompts, type ScreenRules } from "../../core/plugin/sdk.ts";

export const CODEX_SCREEN: ScreenRules = {
  busy: /esc to interrupt/,
  idle: /^› /m,
  waiting_input:
    /Would you like to (run the following command|make the following edits|grant)|Press enter to confirm or esc to cancel/,
  rate_limited: /429|Too Many Requests|rate limit|usage limit/i,
  error: /^■ /m,
  // the turn is between the echoed prompt and the input line, both starting with ›
  latestTurn: (screen) => betweenPrompts(screen, "›"),
};

/**
 * The wait a rate-limit message names ("try again in 20s", "in 3 minutes"), or null.
 *
 * @example
 * codexRateLimitWaitMs("Rate limit reached. Please try again in 20s."); // 20000
 */
export function codexRateLimitWaitMs(screen: string): number | null {
  const m = /try again in (\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|m|min|minutes?|h|hours?)\b/i.exec(screen);
  if (!m) return null;
  const n = Number(m[1]);
  const u = m[2]!.toLowerCase();
  const ms = u === "ms" ? 1 : u.startsWith("h") ? 3_600_000 : u.startsWith("m") ? 60_000 : 1000;
  return Math.round(n * ms);
}
