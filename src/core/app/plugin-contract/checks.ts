/**
 * The checks of the plugin contract suite. Each one starts the plugin afresh on a scripted
 * worker (the real task and turn flows, store and plugin boundary; a scripted pane instead of
 * tmux), plays the script at it and says what differed from the contract.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  callApproval,
  callClassifyScreen,
  callHookRule,
  callStartup,
} from "../../controller/plugin-boundary.ts";
import type { ApprovalPolicy } from "../../domain/config.ts";
import { permissionSkipRefusal } from "../../domain/permission-skip.ts";
import type { Task } from "../../domain/types.ts";
import type { AgentPlugin, PluginFactory, ScreenState, StartupSpec } from "../../plugin/contract.ts";
import { makeStartupContext } from "../../plugin/startup-context.ts";
import { instantiatePlugin } from "../../plugin/validate.ts";
import type { ContractScript } from "./script.ts";
import { ContractFailure, must, ScriptedAgent, STEP_MS } from "./scripted-agent.ts";

/** What a check is handed: the plugin as its factory makes it, and the script. */
export interface CheckInput {
  factory: PluginFactory;
  script: ContractScript;
  /** Where the plugin came from, for messages. */
  origin: string;
}

/** One check of the contract. */
export interface ContractCheck {
  name: string;
  /** Whether it concerns this plugin (a failing command only a command-like agent, ...). */
  applies(p: AgentPlugin, s: ContractScript): boolean;
  /** Resolves when the plugin keeps the contract; rejects with what differed. */
  run(input: CheckInput): Promise<void>;
}

/** The context a plugin gets from the suite: nothing under it exists, nothing is written. */
export const CONTRACT_STARTUP_CONTEXT = makeStartupContext({
  workerName: "w1",
  project: join(tmpdir(), "orch-contract", "project"),
  dataDir: join(tmpdir(), "orch-contract", "data", "w1"),
  home: join(tmpdir(), "orch-contract", "no-home"),
});

/** A fresh plugin from the factory and its startup spec, or the failure naming why not. */
async function prepare(input: CheckInput): Promise<{ plugin: AgentPlugin; spec: StartupSpec }> {
  const made = instantiatePlugin(input.factory, input.origin);
  if (!made.ok) throw new ContractFailure(made.error);
  const started = await callStartup(made.value, CONTRACT_STARTUP_CONTEXT, STEP_MS);
  if (!started.ok) throw new ContractFailure(started.error);
  return { plugin: made.value, spec: started.value };
}

/** Runs `body` with a ready scripted agent of the plugin, and stops it after. */
async function withAgent(
  input: CheckInput,
  body: (a: ScriptedAgent) => Promise<void>,
  o: { approvalPolicy?: ApprovalPolicy } = {},
): Promise<void> {
  const { plugin, spec } = await prepare(input);
  const a = new ScriptedAgent(plugin, input.script, { ready: spec.ready, ...o });
  try {
    await a.start();
    await body(a);
  } finally {
    a.close();
  }
}

/** Sends a task and checks it went out as framed; returns it with its delivery's text. */
async function sendTask(
  a: ScriptedAgent,
  o: { text?: string; timeoutSec?: number; fresh?: boolean } = {},
): Promise<{ task: Task; framed: string }> {
  const from = a.w.pane.strokes.length;
  const task = a.w.send(o.text ?? a.text, o.timeoutSec !== undefined ? { timeoutSec: o.timeoutSec } : {});
  must(
    task.status === "dispatched",
    `a task sent to the ready worker is ${task.status}; expected dispatched`,
  );
  const d = a.frame(task, o.fresh ?? true);
  await a.delivered(from, d);
  return { task, framed: d.text };
}

const verdict = (t: Task) => `${t.status}${t.error ? ` (${t.error})` : ""}`;

function mustSucceed(a: ScriptedAgent, t: Task): void {
  must(t.status === "succeeded", `the task ended ${verdict(t)}; expected succeeded`);
  must(
    t.output === a.expectedOutput,
    `its output is ${JSON.stringify(t.output)}; expected ${JSON.stringify(a.expectedOutput)}`,
  );
}

/** Waits for the keys that follow stroke `from` and checks they are `want`. */
async function keysAfter(a: ScriptedAgent, from: number, want: string[], what: string): Promise<void> {
  const s = await a.w.pane
    .waitForStroke((x) => a.w.pane.strokes.indexOf(x) >= from && x.op === "keys", STEP_MS, what)
    .catch((e: Error) => {
      throw new ContractFailure(e.message);
    });
  const got = s.op === "keys" ? s.keys : [];
  must(
    JSON.stringify(got) === JSON.stringify(want),
    `${what}: sent ${got.join(" ")}; expected ${want.join(" ")}`,
  );
}

function screenIs(p: AgentPlugin, screen: string | undefined, field: string, want: ScreenState): void {
  must(screen !== undefined, `the script has no ${field}`);
  const r = callClassifyScreen(p, screen);
  if (!r.ok) throw new ContractFailure(r.error);
  const seen = r.value === null ? "matches none of the plugin's screen patterns" : `reads as "${r.value}"`;
  must(r.value === want, `${field} ${seen}; expected "${want}"`);
}

const interactive = (p: AgentPlugin) => p.detect.kind !== "marker";
const interruptKeys = (p: AgentPlugin) => p.interruptKeys ?? ["C-c"];

export const CONTRACT_CHECKS: readonly ContractCheck[] = [
  {
    name: "is a valid plugin",
    applies: () => true,
    run: async (input) => {
      const made = instantiatePlugin(input.factory, input.origin);
      if (!made.ok) throw new ContractFailure(made.error);
    },
  },
  {
    name: "startup() gives a command, a ready sign and no permission-skipping flag",
    applies: () => true,
    run: async (input) => {
      const { plugin, spec } = await prepare(input);
      must(
        spec.ready || plugin.detect.screen?.idle,
        "neither startup().ready nor detect.screen.idle: orch could not tell when the agent is ready",
      );
      const skip = permissionSkipRefusal(plugin.name, [...spec.argv, ...(spec.runs ?? [])], []);
      must(!skip, `with skipPermissions off: ${skip}`);
    },
  },
  {
    name: "the script's prompt, screens and hooks read as the plugin's states",
    applies: () => true,
    run: async (input) => {
      const { plugin, spec } = await prepare(input);
      const s = input.script;
      if (spec.ready) {
        must(
          s.prompt !== undefined,
          "the script has no prompt (what the agent prints when it waits for input)",
        );
        spec.ready.lastIndex = 0;
        must(
          spec.ready.test(s.prompt),
          `startup().ready ${spec.ready} does not match the prompt ${JSON.stringify(s.prompt)}`,
        );
      } else screenIs(plugin, s.screens?.idle, "screens.idle", "idle");
      if (interactive(plugin)) {
        screenIs(plugin, s.screens?.busy, "screens.busy", "busy");
        screenIs(plugin, s.screens?.done, "screens.done", "idle");
      }
      if (interactive(plugin) && plugin.approval)
        screenIs(plugin, s.screens?.permission, "screens.permission", "waiting_input");
      if (interactive(plugin) && s.screens?.rateLimited !== undefined)
        screenIs(plugin, s.screens.rateLimited, "screens.rateLimited", "rate_limited");
      if (plugin.detect.kind === "hook") {
        must(
          s.hooks?.done,
          "the script has no hooks.done (the event the agent's hook sends when a turn ends)",
        );
        for (const [field, want] of [
          ["done", "done"],
          ["accepted", "accepted"],
        ] as const) {
          const e = s.hooks[field];
          if (!e) continue;
          const r = callHookRule(plugin, e);
          if (!r.ok) throw new ContractFailure(r.error);
          must(
            r.value === want,
            `hooks.${field} means ${JSON.stringify(r.value)} to detect.hook; expected "${want}"`,
          );
        }
      }
    },
  },
  {
    name: "runs a task: typed as framed, the output as expected, the worker idle after",
    applies: () => true,
    run: (input) =>
      withAgent(input, async (a) => {
        const { task, framed } = await sendTask(a);
        mustSucceed(a, await a.finish(task, framed));
        await a.w.waitFor("the worker idle", () => a.w.worker().state === "idle", STEP_MS);
        must(a.w.rt.phase === "ready", `the worker is ${a.w.rt.phase} after the task; expected ready`);
      }),
  },
  {
    name: "runs the next task in the same session (framed with fresh: false)",
    applies: () => true,
    run: (input) =>
      withAgent(input, async (a) => {
        const first = await sendTask(a);
        mustSucceed(a, await a.finish(first.task, first.framed));
        const next = await sendTask(a, { fresh: false });
        mustSucceed(a, await a.finish(next.task, next.framed));
      }),
  },
  {
    name: "with detect.nonce, the frame types the suffix it is given (it carries the task's nonce)",
    applies: (p) => p.detect.kind === "marker" && p.detect.nonce === true,
    run: (input) =>
      withAgent(input, async (a) => {
        const { task, framed } = await sendTask(a);
        const suffix = a.markers(task.id).suffix;
        must(
          framed.includes(suffix),
          `the framed text does not contain the suffix ${JSON.stringify(suffix)}: the task's end marker would never match`,
        );
      }),
  },
  {
    name: "a command that exits non-zero fails the task with its status",
    applies: (p) => p.detect.kind === "marker",
    run: (input) =>
      withAgent(input, async (a) => {
        const { task, framed } = await sendTask(a);
        const done = await a.finish(task, framed, 3);
        must(
          done.status === "failed" && done.exitCode === 3,
          `the task ended ${verdict(done)} with exit code ${done.exitCode}; expected failed with 3`,
        );
      }),
  },
  {
    name: "a task past its timeout is timed out and the agent interrupted",
    applies: () => true,
    run: (input) =>
      withAgent(input, async (a) => {
        const delay = a.frame({ id: "t", text: a.text }, true).submitDelayMs ?? 0;
        const { task, framed } = await sendTask(a, { timeoutSec: (delay + 800) / 1000 });
        const from = a.w.pane.strokes.length;
        await a.work(task, framed);
        const done = await a.final(task);
        must(done.status === "timed_out", `the task ended ${verdict(done)}; expected timed_out`);
        await keysAfter(a, from, interruptKeys(a.plugin), "the interrupt keys");
      }),
  },
  {
    name: "a cancelled task is recorded cancelled and the agent interrupted",
    applies: () => true,
    run: (input) =>
      withAgent(input, async (a) => {
        const { task, framed } = await sendTask(a);
        await a.work(task, framed);
        const from = a.w.pane.strokes.length;
        const t = a.w.cancel(task.id, "cancelled by the contract suite");
        must(t.status === "cancelled", `the task is ${verdict(t)} after cancel; expected cancelled`);
        await keysAfter(a, from, interruptKeys(a.plugin), "the interrupt keys");
      }),
  },
  {
    name: "text that could end a bracketed paste is refused, nothing typed",
    applies: () => true,
    run: (input) =>
      withAgent(input, async (a) => {
        // the API refuses control characters already; this is the plugin's own guard behind it
        const task = a.w.store.transaction(() => a.w.flow.enqueue(a.w.name, "a\x1b[201~b", 30, a.w.rt));
        const pasted = () => a.w.pane.strokes.some((s) => s.op === "paste");
        await a.w.waitFor(
          "the task failed or pasted",
          () => pasted() || a.w.task(task.id).status === "failed",
          STEP_MS,
        );
        must(
          !pasted(),
          "the text was pasted: frame() must refuse ESC [201~ (the end of a bracketed paste), e.g. with pasteSafe()",
        );
        const done = a.w.task(task.id);
        must(
          done.error?.includes("failed in frame()"),
          `the task ended ${verdict(done)}; expected frame() to refuse it`,
        );
      }),
  },
  {
    name: "a permission prompt is answered by the approval policy",
    applies: (p) => interactive(p) && p.approval !== undefined,
    run: (input) =>
      withAgent(
        input,
        async (a) => {
          await sendTask(a);
          if (a.script.hooks?.accepted) a.w.hook(a.script.hooks.accepted);
          const screen = a.script.screens?.permission ?? "";
          const decided = callApproval(a.plugin, screen, "approve");
          if (!decided.ok) throw new ContractFailure(decided.error);
          const from = a.w.pane.strokes.length;
          a.w.show(screen);
          const spec = a.plugin.approval!;
          const want = decided.value === "deny" ? spec.denyKeys : spec.approveKeys;
          await keysAfter(a, from, want, `the ${decided.value} keys`);
        },
        { approvalPolicy: "approve" },
      ),
  },
  {
    name: "a permission prompt waits for a human when the policy asks, then takes the answer",
    applies: (p) => interactive(p) && p.approval !== undefined && p.approval.decide === undefined,
    run: (input) =>
      withAgent(input, async (a) => {
        await sendTask(a);
        const from = a.w.pane.strokes.length;
        a.w.show(a.script.screens?.permission ?? "");
        await a.w.waitFor(
          "the worker waiting for input",
          () => a.w.worker().state === "waiting_input",
          STEP_MS,
        );
        must(a.w.pane.strokes.length === from, "keys went out although the policy asks a human");
        must(a.w.turns.answer(a.w.rt, "deny"), "the turn flow did not take the human's answer");
        await keysAfter(a, from, a.plugin.approval!.denyKeys, "the deny keys");
      }),
  },
  {
    name: "a rate limit pauses the worker, then the same prompt goes out again",
    applies: (p, s) => interactive(p) && s.screens?.rateLimited !== undefined,
    run: (input) =>
      withAgent(input, async (a) => {
        const { task, framed } = await sendTask(a);
        if (a.script.hooks?.accepted) a.w.hook(a.script.hooks.accepted);
        const from = a.w.pane.strokes.length;
        a.w.show(a.script.screens?.rateLimited ?? "");
        await a.w.waitFor("the worker rate limited", () => a.w.worker().state === "rate_limited", STEP_MS);
        const e = a.w.store.events.latest(20).find((x) => x.kind === "worker.rate_limited");
        const wait = Number(e?.data.resumeInMs);
        must(Number.isFinite(wait), "no worker.rate_limited event with resumeInMs");
        // a wait the agent names (minutes, often) is not waited out here
        if (wait > STEP_MS) return;
        const d = a.frame(task, true);
        await a.delivered(from, d);
        mustSucceed(a, await a.finish(task, framed));
      }),
  },
];
