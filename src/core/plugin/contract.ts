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

/** The completion protocol's markers: `START+id+SUFFIX` before the output, `END+id-EXIT+SUFFIX` after. */
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
}

/** A file to write before the agent starts; a relative path is taken from `dataDir`. */
export interface SeedFile {
  path: string;
  content: string;
  mode?: number;
}

/** How to start the agent and how to tell it is ready for a task. */
export interface StartupSpec {
  argv: string[];
  env?: Record<string, string>;
  files?: SeedFile[];
  /** Matches the pane's output (ANSI included) once the agent waits for input. */
  ready: RegExp;
}

/** A task as a plugin sees it. */
export interface TaskInput {
  id: string;
  text: string;
}

/** How a task reaches the agent: text pasted (or typed), then the submit keys after a pause. */
export interface Delivery {
  text: string;
  submit: string[];
  submitDelayMs?: number;
}

/** How completion is detected. Issue-2 core implements `marker`. */
export type DetectSpec = { kind: "marker" };

export interface AgentPlugin {
  name: string;
  description: string;
  version: string;
  startup(ctx: StartupContext): StartupSpec;
  frame(task: TaskInput, markers: MarkerSpec): Delivery;
  detect: DetectSpec;
  /** Keys that interrupt a running task (default `["C-c"]`). */
  interruptKeys?: string[];
}

/** A plugin factory, the form plugins are written and registered in. */
export type PluginFactory = () => AgentPlugin;

/** Identity helper that gives plugin authors types. */
export function definePlugin(factory: PluginFactory): PluginFactory {
  return factory;
}
