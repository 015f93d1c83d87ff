import type { AgentPlugin, PluginFactory } from "./contract.ts";
import { instantiatePlugin } from "./validate.ts";

/** The agent types the controller knows, by name. */
export class PluginRegistry {
  private readonly plugins = new Map<string, AgentPlugin>();

  /** Loads a factory; returns an error (never throws) when it is broken. */
  register(
    factory: PluginFactory,
    origin: string,
  ): { ok: true; name: string } | { ok: false; error: string } {
    const r = instantiatePlugin(factory, origin);
    if (!r.ok) return r;
    this.plugins.set(r.plugin.name, r.plugin);
    return { ok: true, name: r.plugin.name };
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
}
