import { ok, type Result } from "../domain/result.ts";
import type { AgentPlugin, PluginFactory } from "./contract.ts";
import { instantiatePlugin } from "./validate.ts";

/** The agent types the controller knows, by name. */
export class PluginRegistry {
  private readonly plugins = new Map<string, AgentPlugin>();
  private refused: ReadonlyMap<string, string> = new Map();

  /** Loads a factory and gives the plugin's name; an error (never a throw) when it is broken. */
  register(factory: PluginFactory, origin: string): Result<string> {
    const r = instantiatePlugin(factory, origin);
    if (!r.ok) return r;
    this.plugins.set(r.value.name, r.value);
    return ok(r.value.name);
  }

  /** Adds (or replaces) a plugin that was loaded and validated elsewhere. */
  add(plugin: AgentPlugin): void {
    this.plugins.set(plugin.name, plugin);
  }

  remove(name: string): void {
    this.plugins.delete(name);
  }

  get(name: string): AgentPlugin | undefined {
    return this.plugins.get(name);
  }

  names(): string[] {
    return [...this.plugins.keys()].sort();
  }

  /**
   * Records why installed plugins were not loaded (broken or not trusted), replacing what was
   * recorded before, so that asking for one of them can say why.
   *
   * @example
   * registry.setRefused(new Map([["dash", "plugin dash: its files changed since it was added (...)"]]));
   * registry.refusal("dash"); // "plugin dash: its files changed since it was added (...)"
   */
  setRefused(reasons: ReadonlyMap<string, string>): void {
    this.refused = new Map(reasons);
  }

  /** Why the installed plugin `name` is not loaded; undefined when it is, or is not installed. */
  refusal(name: string): string | undefined {
    return this.plugins.has(name) ? undefined : this.refused.get(name);
  }
}
