/**
 * What Claude Code's TUI shows in each state (see tests/fixtures/screens/claude). Screens
 * change between versions: these patterns are checked against recorded screens by the
 * contract suite and against the real CLI by the e2e suite.
 */
import { betweenPrompts, type ScreenRules } from "../../core/plugin/sdk.ts";

export const CLAUDE_SCREEN: ScreenRules = {
  // the footer while a turn runs (the spinner's verb is random, this is not), or the spinner
  // line itself, `✽ Contemplating…`: 2.1.332 shows it a moment before its footer says so
  busy: /esc to interrupt|^[✶✢✻✽✳*·] [^\n…]{1,60}…/im,
  // the footer of the empty prompt box in the default permission mode, or the box itself: a
  // `❯` line between two rules, whatever the footer says (it names the mode: "⏸ manual mode
  // on", "⏵⏵ auto mode on (shift+tab to cycle)", ...)
  idle: /\? for shortcuts|^─{20,}[ \t]*\n❯[^\n]*\n─{20,}/m,
  waiting_input: /Do you want to (proceed|make this edit|create)[^\n]*\?/,
  // the final error once Claude Code's own retries are spent ("API error · Retrying" is busy)
  rate_limited: /API Error: Request rejected \(429\)|rate limit|usage limit|limit reached/i,
  error: /● API Error:/,
  // the turn is between the echoed prompt and the input box, both lines starting with ❯
  latestTurn: (screen) => betweenPrompts(screen, "❯"),
};

/**
 * How long to wait, from a rate-limit screen: "resets 3pm", "retry in 30s", "try again in 5
 * minutes"; null when it does not say.
 *
 * @example
 * rateLimitWaitMs("Rate limited. Retry in 30 seconds"); // 30000
 */
export function rateLimitWaitMs(screen: string): number | null {
  const m = /(?:retry|try again)(?: after| in)? (\d+)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)\b/i.exec(
    screen,
  );
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const ms = unit.startsWith("h") ? 3_600_000 : unit.startsWith("m") ? 60_000 : 1000;
  return n * ms;
}

/**
 * The answer on screen: the `●` lines of the last reply (and their continuation lines), for
 * when no transcript is at hand.
 *
 * @example
 * screenAnswer("> hi\n● hello there\n  second line\n✻ Crunched for 2s"); // "hello there\nsecond line"
 */
export function screenAnswer(screen: string): string {
  const lines = screen.split("\n");
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith("● ")) {
      start = i;
      break;
    }
  }
  if (start < 0) return "";
  const out = [lines[start]!.slice(2)];
  for (const l of lines.slice(start + 1)) {
    if (!l.startsWith("  ") || !l.trim()) break;
    out.push(l.trim());
  }
  return out.join("\n").trim();
}
