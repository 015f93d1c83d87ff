import { listInstalled, loadInstalled } from "../plugin/external.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Logger } from "./logger.ts";

/**
 * Loads the plugins installed under `$ORCH_HOME/plugins` into the registry. A broken one, one
 * that is not trusted (changed since `orch plugin add`, or writable by others: see
 * verifyInstalled), or one named like a built-in, is logged and skipped: it never takes the
 * controller down. The registry keeps why each installed one is not loaded, so that asking
 * for its type says so. Returns the names loaded and the errors.
 */
export async function loadUserPlugins(
  home: string,
  registry: PluginRegistry,
  builtins: ReadonlySet<string>,
  logger: Logger,
): Promise<{ loaded: string[]; errors: string[] }> {
  const loaded: string[] = [];
  const errors: string[] = [];
  const refused = new Map<string, string>();
  for (const rec of listInstalled(home)) {
    if (builtins.has(rec.name)) {
      errors.push(`plugin ${rec.name}: a built-in agent type has that name; skipped`);
      continue;
    }
    const r = await loadInstalled(home, rec);
    if (r.ok && r.value.plugin.name === rec.name) {
      registry.add(r.value.plugin);
      loaded.push(rec.name);
      continue;
    }
    const error = r.ok
      ? `plugin ${rec.name}: its code now says it is "${r.value.plugin.name}"; skipped`
      : `plugin ${rec.name}: ${r.error}`;
    errors.push(error);
    refused.set(rec.name, error);
  }
  registry.setRefused(refused);
  for (const e of errors) logger.log("error", e);
  if (loaded.length) logger.log("info", "user plugins loaded", { plugins: loaded.join(",") });
  return { loaded, errors };
}
