/**
 * The contract every agent type implements. A plugin is a factory returning a plain object;
 * orch validates it with `validatePlugin` when it is loaded.
 *
 * @example
 * import { definePlugin } from "orch:sdk";
 * export default definePlugin(() => ({
 *   name: "mysh", description: "a shell", version: "1.0.0",
 *   startup: (ctx) => ({ argv: ["sh"], ready: /\$ $/ }),
 *   frame: (task, m) => ({ text: `${task.text}; echo ${m.endPrefix}${task.id}-$?${m.suffix}`, submit: ["Enter"] }),
 *   detect: { kind: "marker" },
 * }));
 */

/**
 * The completion protocol's markers: `START+id+SUFFIX` before the output, `END+id-EXIT+SUFFIX`
 * after. For a plugin with `detect: { kind: "marker", nonce: true }` they are given per task:
 * the suffix begins with a nonce only orch can make (`-<20 hex digits>---`).
 */
export interface MarkerSpec {
  startPrefix: string;
  endPrefix: string;
  suffix: string;
}

/** What a plugin knows when it starts an agent. */
export interface StartupContext {
  workerName: string;
  /** Absolute project directory; the agent's working directory. */
  project: string;
  /** A private directory for this worker under ORCH_HOME, for seeded files. */
  dataDir: string;
  /** The HOME the agent runs with (where its own config lives), on the agent's machine. */
  home: string;
  /** orch's state directory; the agent's environment has it as ORCH_HOME. */
  orchHome: string;
  /**
   * The command an agent's hook runs to tell orch about `event` (the event's JSON comes on
   * stdin, or as the last argument). Exits 0 at once and never blocks the agent.
   *
   * @example
   * ctx.hook.command("Stop"); // "'/usr/local/bin/orch' hook --home '/var/lib/orch' --worker 'c1' Stop"
   * ctx.hook.argv("notify");  // ["/usr/local/bin/orch", "hook", "--home", "/var/lib/orch", "--worker", "c1", "notify"]
   */
  hook: { command(event: string): string; argv(event: string): string[] };
  /**
   * Whether the user turned the agent's permission-skipping flag on for this agent type
   * (config `skipPermissions: ["claude"]`, env ORCH_SKIP_PERMISSIONS=claude). Off by default;
   * orch refuses to start an agent whose argv carries such a flag (`--dangerously-skip-permissions`,
   * `--yolo`, ...) while it is off.
   *
   * @example
   * startup: (ctx) => ({
   *   argv: ["my-agent", ...(ctx.skipPermissions ? ["--yolo"] : [])],
   * }),
   */
  skipPermissions: boolean;
}

/**
 * A file to write before the agent starts; a relative path is taken from `dataDir`. Either its
 * `content`, or `merge`: given what the file holds on the agent's machine (null: there is no
 * such file), the content to write, or null to leave the file as it is. orch reads the file
 * where the agent runs (this machine, or a host over ssh), so a user's own config there is
 * added to, never replaced by this machine's.
 *
 * @example
 * ```ts
 * files: [
 *   { path: "settings.json", content: JSON.stringify({ hooks }) },
 *   { path: join(ctx.home, ".tool.json"), merge: (old) => (old?.includes('"trusted"') ? null : addTrust(old)) },
 * ]
 * ```
 */
export type SeedFile = { path: string; mode?: number } & (
  | { content: string; merge?: undefined }
  | { merge(existing: string | null): string | null; content?: undefined }
);

/** How to start the agent and how to tell it is ready for a task. */
export interface StartupSpec {
  argv: string[];
  env?: Record<string, string>;
  files?: SeedFile[];
  /**
   * Matches the pane's output (ANSI included) once the agent waits for input. Optional when
   * `detect.screen.idle` is given: then the agent is ready when its screen looks idle. A
   * `ready` hook signal (see {@link HookSignal}) makes it ready sooner, whichever comes first.
   */
  ready?: RegExp;
  /**
   * The command this worker types for each task, when it is not `argv` (a batch plugin's shell
   * runs `agent -p TASK ...` per task). orch checks these words like `argv`, for flags that turn
   * the agent's permission checks off (see `skipPermissions`).
   *
   * @example
   * ```ts
   * startup: (ctx) => ({ argv: ["bash", "--norc"], ready: /\$ $/, runs: ["claude -p", "--output-format json"] })
   * ```
   */
  runs?: string[];
}

/** A task as a plugin sees it. */
export interface TaskInput {
  id: string;
  text: string;
  /**
   * False when a task this controller framed has already run to its end in this agent process
   * (since it started or was adopted, with no interrupt since): the frame may then rely on
   * per-session state an earlier frame set up, such as helpers it defined. True or absent:
   * set up what the task needs.
   *
   * @example
   * frame: (task) => ({ text: `${task.fresh === false ? "" : "setup; "}run ${task.text}`, submit: ["Enter"] }),
   */
  fresh?: boolean;
}

/** How a task reaches the agent: text pasted (or typed), then the submit keys after a pause. */
export interface Delivery {
  text: string;
  submit: string[];
  submitDelayMs?: number;
  /**
   * Keys sent before the text that discard input pending at the agent's prompt: a terminal's
   * replies to queries the last task sent (cursor position, device attributes, colours), keys
   * a user typed into the pane. Without them such input joins the task's text.
   *
   * @example
   * frame: (task) => ({ clearKeys: ["C-g", "C-e", "C-u"], text: task.text, submit: ["Enter"] }), // readline
   */
  clearKeys?: string[];
}

/**
 * Patterns over the pane's visible screen (`capture-pane` text, no ANSI), one per state the
 * agent can show. Checked when output arrives (debounced), in this order: waiting_input,
 * rate_limited, error, busy, idle; the first that matches names the state.
 */
export interface ScreenRules {
  busy?: RegExp;
  idle?: RegExp;
  waiting_input?: RegExp;
  error?: RegExp;
  rate_limited?: RegExp;
  /**
   * The part of the screen that belongs to the latest turn. `error` and `rate_limited` are
   * looked for only there, so an old error still on screen does not stick to the next turn.
   */
  latestTurn?(screen: string): string;
}

/** The state a screen shows, as named by {@link ScreenRules}. */
export type ScreenState = "busy" | "idle" | "waiting_input" | "error" | "rate_limited";

/** An event an agent's hook sent (`orch hook --worker W EVENT`), with its JSON payload. */
export interface HookEvent {
  event: string;
  payload: unknown;
}

/**
 * What a hook event means: for the task in flight `accepted` (the prompt was taken), `done`
 * (the turn finished), `waiting_input` (the agent asks something); `ready` (the agent has
 * started and takes input, e.g. Claude Code's SessionStart hook: a worker that is starting is
 * ready at once, whatever its screen looks like; ignored at any other time); or `null`
 * (nothing). A plugin whose agent says `ready` still gives screen rules (`detect.screen.idle`)
 * or `startup().ready`, the fallback when the hook does not come.
 *
 * @example
 * hook: (e) => (e.event === "SessionStart" ? "ready" : e.event === "Stop" ? "done" : null),
 */
export type HookSignal = "accepted" | "done" | "waiting_input" | "ready" | null;

/**
 * How completion is detected.
 * - `marker`: the framed task prints the end marker (command-like agents).
 * - `hook`: the agent's hooks say when a turn ends; `screen` rules are the fallback and show
 *   waiting_input / rate_limited.
 * - `screen`: a turn ends when the screen goes from busy back to idle.
 */
export type DetectSpec =
  | {
      kind: "marker";
      screen?: ScreenRules;
      /**
       * True: each task's markers carry a nonce only orch can make (in `suffix`), so a task
       * cannot end itself with a verdict of its choosing by printing its own end marker. The
       * frame must then print the suffix it is given, and keep it from the task: type it, but
       * never put it where the task can read it (its environment, a variable or function of
       * the shell it runs in, a file). False or absent: the configured markers, the same for
       * every task.
       *
       * @example
       * detect: { kind: "marker", nonce: true },
       */
      nonce?: boolean;
    }
  | { kind: "hook"; hook(e: HookEvent): HookSignal; screen?: ScreenRules }
  | { kind: "screen"; screen: ScreenRules };

/** What a finished task yields besides its status: the answer and what the agent reported. */
export interface TaskResult {
  /** The answer as text (the task's `output`). */
  text: string;
  /** Why the turn ended, in the agent's words (e.g. `end_turn`, `error_max_turns`). */
  exitReason?: string;
  /** True when the agent itself says the task failed. */
  isError?: boolean;
  sessionId?: string;
  tokens?: { input?: number; output?: number };
  costUsd?: number;
}

/** What `result()` gets: the raw text between markers (or the screen), and the last hook event. */
export interface ResultInput {
  /** marker: the task's output; hook/screen: the pane's screen when the turn ended. */
  raw: string;
  exitCode: number | null;
  /** The hook event that ended the turn, if one did. */
  hook?: HookEvent;
}

/** A human's or policy's answer to a permission prompt. */
export type ApprovalDecision = "approve" | "deny" | "ask";

/** How a plugin answers permission prompts (the screen matched `waiting_input`). */
export interface ApprovalSpec {
  /** Keys that approve once (e.g. `["1"]` or `["Enter"]`). */
  approveKeys: string[];
  /** Keys that refuse (e.g. `["Escape"]`). */
  denyKeys: string[];
  /**
   * How long a prompt must have been on screen before its keys are sent, in ms (default 0).
   * Some agents drop keys that come the moment a question opens, against answers typed by
   * accident: Claude Code 2.1.332 ignores an Enter in its first ~150 ms.
   */
  answerDelayMs?: number;
  /** The plugin's default for a prompt when the worker has no policy: usually `ask`. */
  decide?(screen: string): ApprovalDecision;
}

export interface AgentPlugin {
  name: string;
  description: string;
  version: string;
  startup(ctx: StartupContext): StartupSpec;
  frame(task: TaskInput, markers: MarkerSpec): Delivery;
  detect: DetectSpec;
  /** Turns what the task produced into its result; default: the raw text as is. */
  result?(input: ResultInput): TaskResult;
  /** Permission prompts: how to approve or deny them. */
  approval?: ApprovalSpec;
  /**
   * When a rate-limited agent may go on, from its screen: ms from now, or null to back off.
   * @example
   * rateLimitWaitMs: (screen) => /try again in (\d+)s/.exec(screen)?.[1] ? Number(RegExp.$1) * 1000 : null
   */
  rateLimitWaitMs?(screen: string): number | null;
  /**
   * How long after the submit keys the agent must show it took the prompt (a busy screen or
   * an `accepted` hook) before Enter is sent once more; default 3000 ms. Marker agents prove
   * it with the start marker.
   */
  acceptMs?: number;
  /** Keys that interrupt a running task (default `["C-c"]`). */
  interruptKeys?: string[];
  /** Ends what the agent leaves behind when its worker is killed (e.g. a background server). */
  cleanup?(ctx: StartupContext): void | Promise<void>;
  /**
   * The health pass's responsiveness check of an idle worker: `text` is typed and submitted
   * with Enter, and the agent's output must show `expect` within `timeoutMs` (default 5000);
   * otherwise the worker counts as stuck and is revived. Pick a text whose answer differs from
   * its echo, so that only an agent that works can show it.
   *
   * @example
   * probe: { text: "echo orch-probe-$((6 * 7))", expect: /orch-probe-42/ }
   */
  probe?: ProbeSpec;
}

/** See {@link AgentPlugin.probe}. */
export interface ProbeSpec {
  text: string;
  expect: RegExp;
  timeoutMs?: number;
  /** Keys sent before `text` that discard input pending at the prompt (see {@link Delivery.clearKeys}). */
  clearKeys?: string[];
}

/** A plugin factory, the form plugins are written and registered in. */
export type PluginFactory = () => AgentPlugin;

/** Identity helper that gives plugin authors types. */
export function definePlugin(factory: PluginFactory): PluginFactory {
  return factory;
}
