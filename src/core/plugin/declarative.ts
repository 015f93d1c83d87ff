/**
 * Declarative plugins: an agent type described in JSON or TOML (command, framing, patterns)
 * with no code. Validated here and turned into an {@link AgentPlugin}.
 */
import { z } from "zod";
import { fail, ok, type Result } from "../domain/result.ts";
import { shellQuote } from "../tmux/quote.ts";
import type { AgentPlugin, ScreenRules } from "./contract.ts";
import { pasteSafe } from "./paste-guard.ts";

const pattern = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be a valid regular expression" },
);
const keys = z.array(z.string().min(1)).min(1);

/**
 * The declarative format.
 *
 * @example
 * ```json
 * { "name": "myrepl", "description": "python REPL", "version": "1.0.0",
 *   "command": ["python3", "-q"], "ready": ">>> $",
 *   "detect": "marker", "template": "{text}" }
 * ```
 */
export const DeclarativeSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, "lowercase letters, digits or '-', starting with a letter"),
  // (one line without control characters: validate.ts checks that for every plugin)
  description: z.string().min(1),
  version: z.string().min(1),
  /** argv of the agent; `{project}`, `{worker}` and `{dataDir}` are replaced. */
  command: z.array(z.string().min(1)).min(1),
  env: z.record(z.string(), z.string()).optional(),
  /** Regex over the pane's output that means "ready" (or give screen.idle). */
  ready: pattern.optional(),
  /**
   * `marker`: the task is a shell command line; orch wraps it so the end marker carries its
   * exit status (`{text}; printf END-<id>-$?`). `screen`: a prompt; done when busy -> idle.
   */
  detect: z.enum(["marker", "screen"]),
  /** How the task text is typed: `{text}` is replaced by it. Default `{text}`. */
  template: z.string().includes("{text}", { message: 'must contain "{text}"' }).optional(),
  submit: keys.optional(),
  /** Keys sent before each task that discard input pending at the prompt (e.g. readline's `C-e C-u`). */
  clearKeys: keys.optional(),
  submitDelayMs: z.number().int().min(0).max(10_000).optional(),
  screen: z
    .strictObject({
      busy: pattern.optional(),
      idle: pattern.optional(),
      waiting_input: pattern.optional(),
      error: pattern.optional(),
      rate_limited: pattern.optional(),
    })
    .optional(),
  approval: z
    .strictObject({
      approveKeys: keys,
      denyKeys: keys,
      answerDelayMs: z.number().int().min(0).max(10_000).optional(),
    })
    .optional(),
  interruptKeys: keys.optional(),
  /** The health pass's check of an idle agent: `text` is typed, `expect` must show in time. */
  probe: z
    .strictObject({
      text: z.string().min(1),
      expect: pattern,
      timeoutMs: z.number().int().positive().max(60_000).optional(),
    })
    .optional(),
});

export type DeclarativeSpec = z.infer<typeof DeclarativeSchema>;

/** Parses and checks a declarative spec; errors name the field and what was expected. */
export function parseDeclarative(value: unknown, origin: string): Result<DeclarativeSpec> {
  const r = DeclarativeSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(plugin)"}: ${i.message}`).join("; ");
    return fail("bad_input", `declarative plugin ${origin} is invalid: ${issues}`);
  }
  const s = r.data;
  if (s.detect === "screen" && !(s.screen?.busy && s.screen.idle)) {
    return fail(
      "bad_input",
      `declarative plugin ${origin}: detect "screen" needs screen.busy and screen.idle`,
    );
  }
  if (!s.ready && !s.screen?.idle) {
    return fail(
      "bad_input",
      `declarative plugin ${origin}: give "ready" or screen.idle so orch knows the agent is ready`,
    );
  }
  return ok(s);
}

/** The plugin a declarative spec describes. */
export function declarativePlugin(s: DeclarativeSpec): AgentPlugin {
  const screen: ScreenRules | undefined = s.screen
    ? Object.fromEntries(Object.entries(s.screen).map(([k, v]) => [k, new RegExp(v, "m")]))
    : undefined;
  const template = s.template ?? "{text}";
  return {
    name: s.name,
    description: s.description,
    version: s.version,
    startup: (ctx) => ({
      // replacement functions: a string replacement would read `$&`, `$$`, `$'` in the value
      argv: s.command.map((a) =>
        a
          .replaceAll("{project}", () => ctx.project)
          .replaceAll("{worker}", () => ctx.workerName)
          .replaceAll("{dataDir}", () => ctx.dataDir),
      ),
      env: { ORCH_WORKER: ctx.workerName, ...s.env },
      ...(s.ready ? { ready: new RegExp(s.ready, "m") } : {}),
    }),
    frame: (task, m) => {
      const safe = pasteSafe(task.text);
      const clear = s.clearKeys ? { clearKeys: s.clearKeys } : {};
      const text = template.replaceAll("{text}", () => safe);
      if (s.detect === "screen")
        return { ...clear, text, submit: s.submit ?? ["Enter"], submitDelayMs: s.submitDelayMs ?? 0 };
      // split so the echoed line never holds the marker verbatim
      const end = `${m.endPrefix}${task.id}`;
      const marker = `printf '%s%s-%d%s\\n' ${shellQuote(end.slice(0, 3))} ${shellQuote(end.slice(3))} "$?" ${shellQuote(m.suffix)}`;
      const start = `${m.startPrefix}${task.id}${m.suffix}`;
      const startCmd = `printf '%s%s\\n' ${shellQuote(start.slice(0, 3))} ${shellQuote(start.slice(3))}`;
      return { ...clear, text: `${startCmd}; ${text}; ${marker}`, submit: s.submit ?? ["Enter"] };
    },
    detect:
      s.detect === "screen"
        ? { kind: "screen", screen: screen! }
        : { kind: "marker", nonce: true, ...(screen ? { screen } : {}) },
    ...(s.approval ? { approval: s.approval } : {}),
    ...(s.interruptKeys ? { interruptKeys: s.interruptKeys } : {}),
    ...(s.probe
      ? {
          probe: {
            ...s.probe,
            expect: new RegExp(s.probe.expect, "m"),
            ...(s.clearKeys ? { clearKeys: s.clearKeys } : {}),
          },
        }
      : {}),
  };
}
