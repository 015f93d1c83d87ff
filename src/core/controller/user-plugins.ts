import { listInstalled, loadPlugin } from "../plugin/external.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Logger } from "./logger.ts";

/**
 * Loads the plugins installed under `$ORCH_HOME/plugins` into the registry. A broken one, or
 * one named like a built-in, is logged and skipped: it never takes the controller down.
 * Returns the names loaded and the errors.
 */
export async function loadUserPlugins(
  home: string,
  registry: PluginRegistry,
  builtins: ReadonlySet<string>,
  logger: Logger,
): Promise<{ loaded: string[]; errors: string[] }> {
  const loaded: string[] = [];
  const errors: string[] = [];
  for (const rec of listInstalled(home)) {
    if (builtins.has(rec.name)) {
      errors.push(`plugin ${rec.name}: a built-in agent type has that name; skipped`);
      continue;
    }
    const r = await loadPlugin(rec.entry);
    if (!r.ok) errors.push(`plugin ${rec.name}: ${r.error}`);
    else if (r.plugin.name !== rec.name)
      errors.push(`plugin ${rec.name}: its code now says it is "${r.plugin.name}"; skipped`);
    else {
      registry.add(r.plugin);
      loaded.push(rec.name);
    }
  }
  for (const e of errors) logger.log("error", e);
  if (loaded.length) logger.log("info", "user plugins loaded", { plugins: loaded.join(",") });
  return { loaded, errors };
}
