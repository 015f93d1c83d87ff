/**
 * Fakes for unit tests of the controller's flows: the scripted pane (keystrokes out, screens
 * and output in), a worker wired to the real flows and store on it, and small plugins whose
 * screens and hooks are plain words, so a test reads as the story it tells.
 */

import { DEFAULT_MARKERS } from "../../src/core/controller/scripted-worker.ts";
import type { AgentPlugin, HookEvent, MarkerSpec } from "../../src/core/plugin/contract.ts";

export {
  DEFAULT_MARKERS,
  ScriptedWorker,
  type ScriptedWorkerOptions,
} from "../../src/core/controller/scripted-worker.ts";
export { describeStrokes, ScriptedPane as FakePane, type Stroke } from "../../src/core/tmux/scripted-pane.ts";

/** The prompt of {@link markerPlugin}'s agent; its ready pattern matches it. */
export const PROMPT = "$ ";

/**
 * What a shell prints for one framed task: the echo of the line, the start marker, the output
 * (LF as CRLF, as a terminal shows it), the end marker with `exit`, then the prompt.
 *
 * @example
 * w.output(markerRun(task.id, "hi\n", 0));
 */
export function markerRun(
  id: string,
  output: string,
  exit: number,
  o: { prompt?: string; markers?: MarkerSpec; echo?: string } = {},
): string {
  const m = o.markers ?? DEFAULT_MARKERS;
  const body = output.replace(/\n/g, "\r\n");
  return (
    `${o.echo ?? "run"}\r\n${m.startPrefix}${id}${m.suffix}\r\n${body}` +
    `${m.endPrefix}${id}-${exit}${m.suffix}\r\n${o.prompt ?? PROMPT}`
  );
}

/** A command-like agent: `run TEXT` then markers printed by the "shell"; ready at `$ `. */
export function markerPlugin(over: Partial<AgentPlugin> = {}): AgentPlugin {
  return {
    name: "t-marker",
    description: "test marker agent",
    version: "1.0.0",
    startup: () => ({ argv: ["sh"], ready: /\$ $/ }),
    frame: (task) => ({
      text: `${task.fresh === false ? "" : "setup; "}run ${task.text}`,
      submit: ["Enter"],
    }),
    detect: { kind: "marker" },
    ...over,
  };
}

/** Screens of the test TUI agents, one word each. */
export const SCREEN = {
  idle: "> IDLE",
  busy: "working... BUSY",
  done: "answer: all done\n> IDLE",
  permission: "Allow? [y/n]",
  rateLimited: "RATE LIMIT reached",
  error: "ERROR: the model is down",
} as const;

const screenRules = {
  busy: /BUSY/,
  idle: /IDLE/,
  waiting_input: /Allow\?/,
  rate_limited: /RATE LIMIT/,
  error: /^ERROR/m,
};

/** A TUI agent that ends a turn when its screen goes from busy back to idle. */
export function screenPlugin(over: Partial<AgentPlugin> = {}): AgentPlugin {
  return {
    name: "t-screen",
    description: "test screen agent",
    version: "1.0.0",
    startup: () => ({ argv: ["tui"] }),
    frame: (task) => ({ text: task.text, submit: ["Enter"] }),
    detect: { kind: "screen", screen: screenRules },
    result: ({ raw }) => ({ text: /answer: (.*)/.exec(raw)?.[1] ?? raw }),
    approval: { approveKeys: ["y"], denyKeys: ["n"] },
    acceptMs: 100,
    interruptKeys: ["Escape"],
    ...over,
  };
}

/** Hook events of {@link hookPlugin}'s agent. */
export const HOOK = {
  submitted: { event: "Submit", payload: {} } as HookEvent,
  stop: (answer: string): HookEvent => ({ event: "Stop", payload: { answer } }),
  asks: { event: "Ask", payload: {} } as HookEvent,
  other: { event: "SessionStart", payload: {} } as HookEvent,
};

/** A TUI agent whose hooks say when the prompt was taken and when the turn ended. */
export function hookPlugin(over: Partial<AgentPlugin> = {}): AgentPlugin {
  return {
    ...screenPlugin(),
    name: "t-hook",
    description: "test hook agent",
    detect: {
      kind: "hook",
      hook: (e) =>
        e.event === "Submit"
          ? "accepted"
          : e.event === "Stop"
            ? "done"
            : e.event === "Ask"
              ? "waiting_input"
              : null,
      screen: screenRules,
    },
    result: ({ hook, raw }) => ({
      text: (hook?.payload as { answer?: string } | undefined)?.answer ?? `screen: ${raw}`,
    }),
    ...over,
  };
}
