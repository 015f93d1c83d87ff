/**
 * The one boundary through which the core calls plugin code. Every member is called inside a
 * guard: a plugin that throws, returns the wrong shape, or hands back a promise where a value
 * is due gives a failure that names the plugin and the member, never an exception in the
 * controller. What a member returns is checked and copied here, so the core never reads a
 * plugin's object again (a getter that throws, a value JSON cannot store). Members that may be
 * asynchronous (`startup`, `cleanup`) get a deadline, so a plugin that never answers cannot
 * hold a start or a kill forever.
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
  TaskResult,
} from "../plugin/contract.ts";
import { classifyScreen } from "../plugin/screen-rules.ts";
import { parseStartupSpec } from "../plugin/validate.ts";

/** The plugin members the core calls, as failures name them. */
export type PluginMember =
  | "startup"
  | "startup.files.merge"
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

const HOOK_SIGNALS: ReadonlySet<unknown> = new Set(["ready", "accepted", "done", "waiting_input", null]);
const DECISIONS: ReadonlySet<unknown> = new Set(["approve", "deny", "ask"]);

/** `plugin NAME failed in MEMBER(): WHY`, the one form every plugin failure takes. */
export function pluginFailure(plugin: Pick<AgentPlugin, "name">, member: PluginMember, why: string): string {
  return `plugin ${plugin.name} failed in ${member}(): ${why}`;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";

/** What a plugin threw, as a message; never throws itself (a plugin may throw anything). */
function thrownMessage(e: unknown): string {
  try {
    return errorMessage(e);
  } catch {
    return "a value that cannot be shown";
  }
}

/** A value a plugin returned, for a failure message: its JSON, cut short; never throws. */
function show(v: unknown): string {
  try {
    // JSON would call NaN null and lose a BigInt
    const s = typeof v === "bigint" ? `${v}n` : typeof v === "number" ? String(v) : JSON.stringify(v);
    return (s ?? String(v)).slice(0, 100);
  } catch {
    return "a value that JSON cannot show";
  }
}

/**
 * Calls a synchronous member: a throw, a promise, or a value `read` refuses is a failure.
 * `read` checks what the member returned and gives the copy the core keeps (its failure
 * says what was wrong); a plugin value that throws while it is read fails too.
 */
function callSync<T>(
  plugin: AgentPlugin,
  member: PluginMember,
  call: () => unknown,
  read: (v: unknown) => Result<T>,
): Result<T> {
  const failed = (why: string) => fail("unavailable", pluginFailure(plugin, member, why));
  let v: unknown;
  try {
    v = call();
  } catch (e) {
    return failed(thrownMessage(e));
  }
  try {
    if (isThenable(v)) {
      // a promise here would be answered too late to count: the caller needs the value now
      Promise.resolve(v).catch(() => undefined);
      return failed("it returned a Promise; this member must return its value directly");
    }
    const r = read(v);
    return r.ok ? r : failed(r.error);
  } catch (e) {
    return failed(`what it returned cannot be read: ${thrownMessage(e)}`);
  }
}

/** A refusal inside `read`: what was wrong with the value (callSync names the plugin and member). */
const bad = (why: string) => fail("unavailable", why);

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
      return fail("unavailable", pluginFailure(plugin, member, thrownMessage(e)));
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
  const r = await callAsync<unknown>(plugin, "startup", () => plugin.startup(ctx), timeoutMs);
  if (!r.ok) return r;
  let spec: Result<StartupSpec>;
  try {
    spec = parseStartupSpec(r.value);
  } catch (e) {
    const why = `what it returned cannot be read: ${thrownMessage(e)}`;
    return fail("unavailable", pluginFailure(plugin, "startup", why));
  }
  return spec.ok
    ? spec
    : fail("unavailable", pluginFailure(plugin, "startup", `it returned a bad spec: ${spec.error}`));
}

/** A seeded file's `merge(existing)`: the content to write, or null to leave the file be. */
export function callMerge(
  plugin: AgentPlugin,
  merge: (existing: string | null) => string | null,
  existing: string | null,
  path: string,
): Result<string | null> {
  return callSync(
    plugin,
    "startup.files.merge",
    () => merge(existing),
    (v) =>
      v === null || typeof v === "string"
        ? ok(v)
        : bad(`it returned ${show(v)} for ${path}; expected a string or null`),
  );
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
    (v) => {
      const d = v as Partial<Delivery> | null | undefined;
      const text = d?.text;
      if (typeof text !== "string")
        return bad(`it returned ${show(v)}; expected {text: string, submit: string[]}`);
      const submit: unknown = d!.submit;
      const keys = Array.isArray(submit) ? [...submit] : null;
      if (!keys || keys.some((k) => typeof k !== "string" || k === ""))
        return bad(`its submit ${show(submit)} is not a list of key names`);
      const clear: unknown = d!.clearKeys;
      const clearKeys = clear === undefined ? [] : Array.isArray(clear) ? [...clear] : null;
      if (!clearKeys || clearKeys.some((k) => typeof k !== "string" || k === ""))
        return bad(`its clearKeys ${show(clear)} is not a list of key names`);
      const before = clearKeys.length ? { clearKeys } : {};
      const delay: unknown = d!.submitDelayMs;
      if (delay === undefined) return ok({ ...before, text, submit: keys });
      if (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0)
        return bad(`its submitDelayMs ${show(delay)} is not a number of ms, 0 or more`);
      return ok({ ...before, text, submit: keys, submitDelayMs: delay });
    },
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
        ? ok(s as HookSignal)
        : bad(`it returned ${show(s)}; expected "ready", "accepted", "done", "waiting_input" or null`),
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
    (t) => (typeof t === "string" ? ok(t) : bad(`it returned ${typeof t}; expected the screen's text`)),
  );
  return turn.ok ? ok(classifyScreen(screen, { ...rules, latestTurn: () => turn.value })) : turn;
}

/** The finished task's result by the plugin (its raw text when it has no result()). */
export function callResult(plugin: AgentPlugin, input: ResultInput): Result<ExtractedResult> {
  if (!plugin.result) return ok({ text: input.raw, isError: false, meta: null });
  return callSync(
    plugin,
    "result",
    () => plugin.result!(input),
    (v): Result<ExtractedResult> => {
      const text = typeof v === "object" && v !== null ? (v as Partial<TaskResult>).text : undefined;
      if (typeof text !== "string") return bad(`it returned ${show(v)}; expected {text: string, ...}`);
      const { text: _, ...rest } = v as TaskResult;
      // the rest is stored with the task as JSON: a copy through JSON now, or a failure now
      let meta: TaskResultMeta;
      try {
        meta = JSON.parse(JSON.stringify(rest)) as TaskResultMeta;
      } catch (e) {
        return bad(`its result cannot be stored as JSON: ${thrownMessage(e)}`);
      }
      return ok({ text, isError: meta.isError === true, meta: Object.keys(meta).length ? meta : null });
    },
  );
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
      DECISIONS.has(d)
        ? ok(d as ApprovalDecision)
        : bad(`it returned ${show(d)}; expected "approve", "deny" or "ask"`),
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
        ? ok(ms)
        : bad(`it returned ${show(ms)}; expected ms (0 or more) or null`),
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
