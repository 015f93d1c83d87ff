import { ScriptedWorker } from "../../controller/scripted-worker.ts";
import type { ApprovalPolicy } from "../../domain/config.ts";
import type { Task } from "../../domain/types.ts";
import type { AgentPlugin, Delivery, MarkerSpec } from "../../plugin/contract.ts";
import { describeStrokes, type Stroke } from "../../tmux/scripted-pane.ts";
import type { ContractScript } from "./script.ts";

/** How long the suite waits for anything the flows should do at once (a read, a key, a commit). */
export const STEP_MS = 3000;

/** A failed expectation of the contract suite, with what was expected and what came. */
export class ContractFailure extends Error {}

/** Throws a {@link ContractFailure} with `message` unless `cond` holds. */
export function must(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ContractFailure(message);
}

/**
 * The agent of a contract check: a {@link ScriptedWorker} running the plugin under test, and
 * the script played back at it the way the real agent would answer (the command's echo and
 * markers for a marker agent; hooks and screens for a TUI).
 */
export class ScriptedAgent {
  readonly w: ScriptedWorker;
  /** The default task's text. */
  readonly text: string;

  constructor(
    readonly plugin: AgentPlugin,
    readonly script: ContractScript,
    o: { ready: RegExp | undefined; approvalPolicy?: ApprovalPolicy },
  ) {
    this.w = new ScriptedWorker({
      plugin,
      ready: o.ready,
      // as in the controller: each task's markers carry a nonce
      nonces: true,
      ...(o.approvalPolicy ? { approvalPolicy: o.approvalPolicy } : {}),
    });
    this.text = script.task ?? "say hello";
  }

  get interactive(): boolean {
    return this.plugin.detect.kind !== "marker";
  }

  /** The markers of one task, as the flow gives them to the plugin. */
  markers(taskId: string): MarkerSpec {
    return this.w.flow.markerSet.forTask(this.plugin, taskId);
  }

  /** The agent starts: a marker agent prints its prompt, a TUI shows its idle screen. Waits until ready. */
  async start(): Promise<void> {
    if (this.w.rt.ready) this.w.output(`${this.script.prompt ?? ""}`);
    else this.w.show(this.script.screens?.idle ?? "");
    await this.w.waitFor("the worker ready", () => this.w.rt.phase === "ready", STEP_MS);
  }

  /** What the plugin frames for a task (the suite compares it with what was typed). */
  frame(task: Pick<Task, "id" | "text">, fresh: boolean): Delivery {
    return this.plugin.frame({ id: task.id, text: task.text, fresh }, this.markers(task.id));
  }

  /**
   * Waits until the delivery of a task went out after stroke `from`, and checks it is what the
   * frame says: the text pasted, then the submit keys.
   */
  async delivered(from: number, d: Delivery): Promise<void> {
    const want: Stroke[] = [];
    if (d.clearKeys?.length) want.push({ op: "keys", paneId: this.w.paneId, keys: d.clearKeys });
    want.push({ op: "paste", paneId: this.w.paneId, text: d.text });
    if (d.submit.length) want.push({ op: "keys", paneId: this.w.paneId, keys: d.submit });
    const ms = STEP_MS + (d.submitDelayMs ?? 0);
    await this.w.pane
      .waitForStroke(() => this.w.pane.strokes.length >= from + want.length, ms, "delivery")
      .catch((e: Error) => {
        throw new ContractFailure(e.message);
      });
    const got = this.w.pane.strokes.slice(from, from + want.length);
    must(
      JSON.stringify(got) === JSON.stringify(want),
      `the task went out as ${describeStrokes(got)}; its frame says ${describeStrokes(want)}`,
    );
  }

  /** The command's output as a terminal shows it: the echoed line, the markers, the prompt after. */
  commandRun(task: Task, framed: string, exit: number, o: { end?: boolean } = {}): string {
    const m = this.markers(task.id);
    const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");
    const start = `${crlf(framed)}\r\n${m.startPrefix}${task.id}${m.suffix}\r\n${crlf(this.output)}`;
    if (o.end === false) return start;
    return `${start}${m.endPrefix}${task.id}-${exit}${m.suffix}\r\n${this.script.prompt ?? ""}`;
  }

  get output(): string {
    return this.script.output ?? "hello\n";
  }

  /** What the task's output must be once it succeeded. */
  get expectedOutput(): string {
    return this.script.expectOutput ?? this.output;
  }

  /** The agent shows it took the prompt and works on it (and does not finish). */
  async work(task: Task, framed: string): Promise<void> {
    if (!this.interactive) {
      this.w.output(this.commandRun(task, framed, 0, { end: false }));
    } else {
      if (this.script.hooks?.accepted) this.w.hook(this.script.hooks.accepted);
      const busy = this.script.screens?.busy ?? "";
      this.w.show(busy);
      await this.w.waitFor("the busy screen read", () => this.w.rt.lastScreen === busy, STEP_MS);
    }
    const status = this.w.task(task.id).status;
    must(status === "running", `the task is ${status} while the agent works on it; expected running`);
  }

  /** The agent works on the task and finishes it with `exit` (a TUI: shows its answer, sends its hook). */
  async finish(task: Task, framed: string, exit = 0): Promise<Task> {
    if (!this.interactive) {
      this.w.output(this.commandRun(task, framed, exit));
    } else {
      await this.work(task, framed);
      const done = this.script.screens?.done ?? "";
      if (this.plugin.detect.kind === "hook" && this.script.hooks?.done) {
        this.w.pane.setScreen(this.w.paneId, done);
        this.w.hook(this.script.hooks.done);
      } else {
        this.w.show(done);
      }
    }
    return this.final(task);
  }

  /** Waits for the task's final record. */
  final(task: Task): Promise<Task> {
    return this.w.waitFinal(task.id, STEP_MS).catch((e: Error) => {
      throw new ContractFailure(e.message);
    });
  }

  close(): void {
    this.w.close();
  }
}
