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
  for (const state of SCREEN_STATE_ORDER) {
    const re = rules[state];
    if (re) {
      re.lastIndex = 0;
      if (re.test(screen)) return state;
    }
  }
  return null;
}
