/**
 * Loading plugin code at run time, in the compiled binary: `orch:sdk` is a virtual module
 * holding the SDK's exports, so a plugin never reaches into orch's files. Also TOML parsing,
 * which Bun has built in.
 */
import { statSync } from "node:fs";

let registered = false;

/**
 * Makes `import ... from "orch:sdk"` resolve to `exports` (once per process).
 *
 * @example
 * provideSdk(await import("../plugin/sdk.ts"));
 * const mod = await importFile("/var/lib/orch/plugins/mine/index.ts");
 */
export function provideSdk(exports: Record<string, unknown>): void {
  if (registered) return;
  registered = true;
  Bun.plugin({
    name: "orch-sdk",
    setup(build) {
      build.module("orch:sdk", () => ({ exports, loader: "object" }));
    },
  });
}

/**
 * Imports a .ts/.js module by absolute path (TypeScript is transpiled by the runtime). The
 * runtime caches modules by specifier, so the file's mtime and size go into it: a plugin
 * added again under the same name is loaded anew, not served from the cache.
 */
export async function importFile(path: string): Promise<Record<string, unknown>> {
  const st = statSync(path);
  return (await import(`${path}?v=${st.mtimeMs}-${st.size}`)) as Record<string, unknown>;
}

/** Parses TOML text (throws with the parser's message). */
export function parseToml(text: string): unknown {
  return Bun.TOML.parse(text);
}
