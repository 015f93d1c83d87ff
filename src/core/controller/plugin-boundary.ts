/**
 * The one boundary through which the core calls plugin code. Every member is called inside a
 * guard: a plugin that throws, returns the wrong shape, or hands back a promise where a value
 * is due gives a failure that names the plugin and the member, never an exception in the
 * controller. Members that may be asynchronous (`startup`, `cleanup`) get a deadline, so a
 * plugin that never answers cannot hold a start or a kill forever.
 *
 * What a guard cannot do: stop a synchronous member that loops forever (JavaScript cannot
 * preempt it); such a plugin blocks the controller, and systemd's watchdog restarts it.
 */
import type { ApprovalPolicy } from "../domain/config.ts";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import type { TaskResultMeta } from "../domain/types.ts";
import type {
  AgentPlugin,
  ApprovalDecision,
  Delivery,
  HookEvent,
  HookSignal,
  MarkerSpec,
  ResultInput,
  ScreenState,
  StartupContext,
  StartupSpec,
  TaskInput,
} from "../plugin/contract.ts";
import { classifyScreen } from "../plugin/screen-rules.ts";
import { startupSpecError } from "../plugin/validate.ts";

/** The plugin members the core calls, as failures name them. */
export type PluginMember =
  | "startup"
  | "frame"
  | "detect.hook"
  | "detect.screen.latestTurn"
  | "result"
  | "approval.decide"
  | "rateLimitWaitMs"
  | "cleanup";

/** What a plugin's result() came to: the task's text, whether the agent says it failed, and the rest. */
export interface ExtractedResult {
  text: string;
  isError: boolean;
  meta: TaskResultMeta | null;
}

const HOOK_SIGNALS: ReadonlySet<unknown> = new Set(["accepted", "done", "waiting_input", null]);
const DECISIONS: ReadonlySet<unknown> = new Set(["approve", "deny", "ask"]);

/** `plugin NAME failed in MEMBER(): WHY`, the one form every plugin failure takes. */
export function pluginFailure(plugin: Pick<AgentPlugin, "name">, member: PluginMember, why: string): string {
  return `plugin ${plugin.name} failed in ${member}(): ${why}`;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

/** Calls a synchronous member: a throw, a promise or a value `check` refuses is a failure. */
function callSync<T>(
  plugin: AgentPlugin,
  member: PluginMember,
  call: () => T,
  check?: (v: T) => string | null,
): Result<T> {
  let v: T;
  try {
    v = call();
  } catch (e) {
    return fail("unavailable", pluginFailure(plugin, member, errorMessage(e)));
  }
  if (isThenable(v)) {
    // a promise here would be answered too late to count: the caller needs the value now
    void Promise.resolve(v).catch(() => undefined);
    return fail(
      "unavailable",
      pluginFailure(plugin, member, "it returned a Promise; this member must return its value directly"),
    );
  }
  const bad = check?.(v) ?? null;
  return bad ? fail("unavailable", pluginFailure(plugin, member, bad)) : ok(v);
}

/** Calls a member that may answer with a promise, waiting at most `timeoutMs` for it. */
async function callAsync<T>(
  plugin: AgentPlugin,
  member: PluginMember,
  call: () => T | Promise<T>,
  timeoutMs: number,
): Promise<Result<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Result<T>>((res) => {
    timer = setTimeout(
      () => res(fail("unavailable", pluginFailure(plugin, member, `no answer within ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
  });
  const answer = (async (): Promise<Result<T>> => {
    try {
      return ok(await call());
    } catch (e) {
      return fail("unavailable", pluginFailure(plugin, member, errorMessage(e)));
    }
  })();
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How the agent starts: `startup(ctx)`, checked, answered within `timeoutMs`. */
export async function callStartup(
  plugin: AgentPlugin,
  ctx: StartupContext,
  timeoutMs: number,
): Promise<Result<StartupSpec>> {
  const r = await callAsync(plugin, "startup", () => plugin.startup(ctx), timeoutMs);
  if (!r.ok) return r;
  const bad = startupSpecError(r.value);
  return bad ? fail("unavailable", pluginFailure(plugin, "startup", `it returned a bad spec: ${bad}`)) : r;
}

/** The ready pattern of an adopted worker's agent (undefined: its screen says when it is ready). */
export async function callReadyPattern(
  plugin: AgentPlugin,
  ctx: StartupContext,
  timeoutMs: number,
): Promise<Result<RegExp | undefined>> {
  const r = await callStartup(plugin, ctx, timeoutMs);
  return r.ok ? ok(r.value.ready) : r;
}

/** How a task reaches the agent: `frame(task, markers)`, checked. */
export function callFrame(plugin: AgentPlugin, task: TaskInput, markers: MarkerSpec): Result<Delivery> {
  return callSync(
    plugin,
    "frame",
    () => plugin.frame(task, markers),
    (d) =>
      typeof d?.text !== "string"
        ? `it returned ${JSON.stringify(d)?.slice(0, 100)}; expected {text: string, submit: string[]}`
        : !Array.isArray(d.submit) || d.submit.some((k) => typeof k !== "string" || k === "")
          ? `its submit ${JSON.stringify(d.submit)?.slice(0, 100)} is not a list of key names`
          : d.submitDelayMs !== undefined && !(Number.isFinite(d.submitDelayMs) && d.submitDelayMs >= 0)
            ? `its submitDelayMs ${String(d.submitDelayMs)} is not a number of ms, 0 or more`
            : null,
  );
}

/** What a hook event means for the task in flight (null for a plugin without hook detection). */
export function callHookRule(plugin: AgentPlugin, e: HookEvent): Result<HookSignal> {
  const detect = plugin.detect;
  if (detect.kind !== "hook") return ok(null);
  return callSync(
    plugin,
    "detect.hook",
    () => detect.hook(e),
    (s) =>
      HOOK_SIGNALS.has(s)
        ? null
        : `it returned ${JSON.stringify(s)}; expected "accepted", "done", "waiting_input" or null`,
  );
}

/** The state the screen shows by the plugin's rules (null: none matches, or no rules). */
export function callClassifyScreen(plugin: AgentPlugin, screen: string): Result<ScreenState | null> {
  const rules = plugin.detect.screen;
  if (!rules) return ok(null);
  if (!rules.latestTurn) return ok(classifyScreen(screen, rules));
  const turn = callSync(
    plugin,
    "detect.screen.latestTurn",
    () => rules.latestTurn!(screen),
    (t) => (typeof t === "string" ? null : `it returned ${typeof t}; expected the screen's text`),
  );
  return turn.ok ? ok(classifyScreen(screen, { ...rules, latestTurn: () => turn.value })) : turn;
}

/** The finished task's result by the plugin (its raw text when it has no result()). */
export function callResult(plugin: AgentPlugin, input: ResultInput): Result<ExtractedResult> {
  if (!plugin.result) return ok({ text: input.raw, isError: false, meta: null });
  const r = callSync(
    plugin,
    "result",
    () => plugin.result!(input),
    (v) =>
      typeof v?.text === "string"
        ? null
        : `it returned ${JSON.stringify(v)?.slice(0, 100)}; expected {text: string, ...}`,
  );
  if (!r.ok) return r;
  const { text, ...meta } = r.value;
  return ok({ text, isError: meta.isError === true, meta: Object.keys(meta).length ? meta : null });
}

/** The answer to a permission prompt: the plugin's own rule when it has one, else `policy`. */
export function callApproval(
  plugin: AgentPlugin,
  screen: string,
  policy: ApprovalPolicy,
): Result<ApprovalDecision> {
  const decide = plugin.approval?.decide;
  if (!decide) return ok(policy);
  const r = callSync(
    plugin,
    "approval.decide",
    () => decide(screen),
    (d) =>
      DECISIONS.has(d) ? null : `it returned ${JSON.stringify(d)}; expected "approve", "deny" or "ask"`,
  );
  return r.ok ? ok(r.value === "ask" ? policy : r.value) : r;
}

/** How long a rate-limited agent should wait, from its screen (null: back off). */
export function callRateLimitWait(plugin: AgentPlugin, screen: string): Result<number | null> {
  if (!plugin.rateLimitWaitMs) return ok(null);
  return callSync(
    plugin,
    "rateLimitWaitMs",
    () => plugin.rateLimitWaitMs!(screen),
    (ms) =>
      ms === null || (typeof ms === "number" && Number.isFinite(ms) && ms >= 0)
        ? null
        : `it returned ${JSON.stringify(ms)}; expected ms (0 or more) or null`,
  );
}

/** Ends what the agent leaves behind (`cleanup(ctx)`), waiting at most `timeoutMs`. */
export function callCleanup(
  plugin: AgentPlugin,
  ctx: StartupContext,
  timeoutMs: number,
): Promise<Result<void>> {
  if (!plugin.cleanup) return Promise.resolve(ok(undefined));
  return callAsync(plugin, "cleanup", async () => void (await plugin.cleanup!(ctx)), timeoutMs);
}
