/**
 * Plugins from users: loading one from a file, a directory or an installed copy, and the
 * copies kept under `$ORCH_HOME/plugins/<name>/`. Loading never throws: a broken plugin is an
 * error value that names it.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { importFile, parseToml, provideSdk } from "../runtime/plugin-import.ts";
import type { AgentPlugin, PluginFactory } from "./contract.ts";
import { declarativePlugin, parseDeclarative } from "./declarative.ts";
import * as sdk from "./sdk.ts";
import { instantiatePlugin } from "./validate.ts";

export type PluginKind = "declarative" | "module";

/** What `orch plugin add` recorded about an installed plugin (`orch-plugin.json`). */
export interface InstalledPlugin {
  name: string;
  kind: PluginKind;
  /** Absolute path of the file that is loaded. */
  entry: string;
  /** What the user gave to `orch plugin add`. */
  source: string;
  addedAt: string;
}

export type LoadResult =
  | { ok: true; plugin: AgentPlugin; factory: PluginFactory; kind: PluginKind }
  | { ok: false; error: string };

const DECLARATIVE = new Set([".json", ".toml"]);
const CODE = new Set([".ts", ".js", ".mjs", ".mts"]);
const META = "orch-plugin.json";

/** The file a directory plugin is loaded from: package.json's main, else index.* or plugin.*. */
export function entryOf(path: string): string | null {
  if (!statSync(path).isDirectory()) return path;
  const pkg = join(path, "package.json");
  if (existsSync(pkg)) {
    try {
      const main = (JSON.parse(readFileSync(pkg, "utf8")) as { main?: string }).main;
      if (main && existsSync(join(path, main))) return join(path, main);
    } catch {
      // fall through to the usual names
    }
  }
  for (const n of ["index.ts", "index.js", "index.mjs", "plugin.json", "plugin.toml"]) {
    if (existsSync(join(path, n))) return join(path, n);
  }
  return null;
}

/** Loads and validates the plugin at `path` (a .json/.toml spec, a .ts/.js module, or a folder). */
export async function loadPlugin(path: string): Promise<LoadResult> {
  const abs = resolve(path);
  if (!existsSync(abs)) return { ok: false, error: `plugin source "${path}" does not exist` };
  const entry = entryOf(abs);
  if (!entry) {
    return {
      ok: false,
      error: `plugin folder "${path}" has no package.json main, index.ts, index.js, plugin.json or plugin.toml`,
    };
  }
  const ext = extname(entry).toLowerCase();
  let factory: PluginFactory;
  let kind: PluginKind;
  if (DECLARATIVE.has(ext)) {
    let value: unknown;
    try {
      const text = readFileSync(entry, "utf8");
      value = ext === ".json" ? JSON.parse(text) : parseToml(text);
    } catch (e) {
      return {
        ok: false,
        error: `plugin file ${entry} is not valid ${ext.slice(1).toUpperCase()}: ${(e as Error).message}`,
      };
    }
    const spec = parseDeclarative(value, entry);
    if (!spec.ok) return spec;
    factory = () => declarativePlugin(spec.spec);
    kind = "declarative";
  } else if (CODE.has(ext)) {
    provideSdk(sdk as unknown as Record<string, unknown>);
    let mod: Record<string, unknown>;
    try {
      mod = await importFile(entry);
    } catch (e) {
      return { ok: false, error: `plugin file ${entry} does not load: ${(e as Error).message}` };
    }
    const exported = mod.default ?? mod.plugin;
    if (typeof exported !== "function") {
      return {
        ok: false,
        error: `plugin file ${entry} must export a factory as default (export default definePlugin(() => ({...})))`,
      };
    }
    factory = exported as PluginFactory;
    kind = "module";
  } else {
    return {
      ok: false,
      error: `plugin file ${entry}: expected .ts, .js, .mjs, .json or .toml, got "${ext || "no extension"}"`,
    };
  }
  const v = instantiatePlugin(factory, entry);
  return v.ok ? { ok: true, plugin: v.plugin, factory, kind } : v;
}

/** Where installed plugins live. */
export function pluginsDir(home: string): string {
  return join(home, "plugins");
}

/** The installed plugins, by their records (a folder without a readable record is skipped). */
export function listInstalled(home: string): InstalledPlugin[] {
  const dir = pluginsDir(home);
  if (!existsSync(dir)) return [];
  const out: InstalledPlugin[] = [];
  for (const name of readdirSync(dir).sort()) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, name, META), "utf8")) as InstalledPlugin);
    } catch {
      // half-written or foreign folder
    }
  }
  return out;
}

/** Copies the plugin at `source` into the plugins folder as `name` and records it. */
export function install(home: string, name: string, source: string, kind: PluginKind): InstalledPlugin {
  const abs = resolve(source);
  const dest = join(pluginsDir(home), name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  let entry: string;
  if (statSync(abs).isDirectory()) {
    cpSync(abs, dest, { recursive: true, filter: (p) => !p.includes("/.git") });
    entry = entryOf(dest)!;
  } else {
    entry = join(dest, basename(abs));
    cpSync(abs, entry);
  }
  const rec: InstalledPlugin = { name, kind, entry, source, addedAt: new Date().toISOString() };
  writeFileSync(join(dest, META), `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600 });
  return rec;
}

/** Removes an installed plugin; false when there is none by that name. */
export function uninstall(home: string, name: string): boolean {
  const dest = join(pluginsDir(home), name);
  if (!existsSync(join(dest, META))) return false;
  rmSync(dest, { recursive: true, force: true });
  return true;
}
