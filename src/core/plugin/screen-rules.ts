import type { ScreenRules, ScreenState } from "./contract.ts";

/** The order states are checked in: a question on screen wins over a spinner behind it. */
export const SCREEN_STATE_ORDER: readonly ScreenState[] = [
  "waiting_input",
  "rate_limited",
  "error",
  "busy",
  "idle",
];

/**
 * The state a screen shows by `rules`, or null when none matches.
 *
 * @example
 * classifyScreen("✶ Thinking… (esc to interrupt)", { busy: /esc to interrupt/, idle: /\? for shortcuts/ }); // "busy"
 */
export function classifyScreen(screen: string, rules: ScreenRules): ScreenState | null {
  const turn = rules.latestTurn ? rules.latestTurn(screen) : screen;
  for (const state of SCREEN_STATE_ORDER) {
    const re = rules[state];
    if (re) {
      re.lastIndex = 0;
      if (re.test(state === "error" || state === "rate_limited" ? turn : screen)) return state;
    }
  }
  return null;
}

/**
 * The lines between the last two lines that start with `promptChar`: in TUIs that echo the
 * prompt and keep an input line at the bottom, that is the latest turn.
 *
 * @example
 * betweenPrompts("❯ old\nerr\n❯ new\n● answer\n❯ ", "❯"); // "● answer"
 */
export function betweenPrompts(screen: string, promptChar: string): string {
  const lines = screen.split("\n");
  const at: number[] = [];
  lines.forEach((l, i) => {
    if (l.trimStart().startsWith(promptChar)) at.push(i);
  });
  if (at.length < 2) return screen;
  return lines.slice(at[at.length - 2]! + 1, at[at.length - 1]).join("\n");
}
