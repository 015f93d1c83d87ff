import { isAbsolute, join } from "node:path";
import { ok, type Result } from "../domain/result.ts";
import type { AgentPlugin, SeedFile } from "../plugin/contract.ts";
import type { HostPlace, PlacedFile } from "./host-place.ts";
import { callMerge } from "./plugin-boundary.ts";

/**
 * The files a plugin's startup() seeds, as they are to be written on the worker's host: a
 * relative path taken from the worker's data dir, 0600 unless told; a file given by `merge`
 * read where the agent runs and merged through the plugin boundary (null: left as it is).
 */
export async function placeSeedFiles(
  plugin: AgentPlugin,
  place: HostPlace,
  dataDir: string,
  files: SeedFile[],
): Promise<Result<PlacedFile[]>> {
  const out: PlacedFile[] = [];
  for (const f of files) {
    const path = isAbsolute(f.path) ? f.path : join(dataDir, f.path);
    const mode = f.mode ?? 0o600;
    if (f.merge === undefined) {
      out.push({ path, content: f.content, mode });
      continue;
    }
    const existing = await place.readFile(path);
    if (!existing.ok) return existing;
    const merged = callMerge(plugin, f.merge, existing.value, path);
    if (!merged.ok) return merged;
    if (merged.value !== null) out.push({ path, content: merged.value, mode });
  }
  return ok(out);
}
