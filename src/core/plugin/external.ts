/**
 * Plugins from users: loading one from a file, a directory or an installed copy, and the
 * copies kept under `$ORCH_HOME/plugins/<name>/`. Loading never throws: a broken plugin is an
 * error value that names it. An installed copy is loaded only while it is trusted (see
 * trust.ts): unchanged since `orch plugin add`, and writable by its owner alone.
 */
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, extname, join, relative, resolve, sep } from "node:path";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";
import { importFile, parseToml, provideSdk } from "../runtime/plugin-import.ts";
import type { AgentPlugin, PluginFactory } from "./contract.ts";
import { declarativePlugin, parseDeclarative } from "./declarative.ts";
import * as sdk from "./sdk.ts";
import { checkTrust, treeChecksum, walkTree } from "./trust.ts";
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
  /** sha256 of the installed copy's files (see treeChecksum); missing in installs by older orch. */
  sha256?: string;
}

/** A loaded plugin: the instance checked, the factory that makes more, and what kind of file it came from. */
export interface LoadedPlugin {
  plugin: AgentPlugin;
  factory: PluginFactory;
  kind: PluginKind;
}

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
export async function loadPlugin(path: string): Promise<Result<LoadedPlugin>> {
  const abs = resolve(path);
  if (!existsSync(abs)) return fail("not_found", `plugin source "${path}" does not exist`);
  const entry = entryOf(abs);
  if (!entry) {
    return fail(
      "bad_input",
      `plugin folder "${path}" has no package.json main, index.ts, index.js, plugin.json or plugin.toml`,
    );
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
      return fail(
        "bad_input",
        `plugin file ${entry} is not valid ${ext.slice(1).toUpperCase()}: ${errorMessage(e)}`,
      );
    }
    const spec = parseDeclarative(value, entry);
    if (!spec.ok) return spec;
    factory = () => declarativePlugin(spec.value);
    kind = "declarative";
  } else if (CODE.has(ext)) {
    provideSdk(sdk as unknown as Record<string, unknown>);
    let mod: Record<string, unknown>;
    try {
      mod = await importFile(entry);
    } catch (e) {
      return fail("bad_input", `plugin file ${entry} does not load: ${errorMessage(e)}`);
    }
    const exported = mod.default ?? mod.plugin;
    if (typeof exported !== "function") {
      return fail(
        "bad_input",
        `plugin file ${entry} must export a factory as default (export default definePlugin(() => ({...})))`,
      );
    }
    factory = exported as PluginFactory;
    kind = "module";
  } else {
    return fail(
      "bad_input",
      `plugin file ${entry}: expected .ts, .js, .mjs, .json or .toml, got "${ext || "no extension"}"`,
    );
  }
  const v = instantiatePlugin(factory, entry);
  return v.ok ? ok({ plugin: v.value, factory, kind }) : v;
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
    if (name.startsWith(".")) continue; // an install being staged
    try {
      out.push(JSON.parse(readFileSync(join(dir, name, META), "utf8")) as InstalledPlugin);
    } catch {
      // half-written or foreign folder
    }
  }
  return out;
}

const isMeta = (rel: string) => rel === META;

/**
 * Copies the plugin at `from` into the plugins folder as `name`, owner-only (folders 0700,
 * files 0600, or 0700 when they were executable; symlinks are copied as what they point
 * to), and records it with the checksum of the copy. `source` is what the record says it
 * came from (default: `from` made absolute). Adding again replaces the copy and the checksum.
 *
 * @example
 * install(home, "dash", "./dash-agent.ts", "module").sha256; // "5e88489..."
 */
export function install(
  home: string,
  name: string,
  from: string,
  kind: PluginKind,
  source: string = resolve(from),
): InstalledPlugin {
  const abs = resolve(from);
  const root = pluginsDir(home);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  chmodSync(root, 0o700);
  const dest = join(root, name);
  // staged next to it first: `from` may be the installed copy itself
  const stage = join(root, `.${name}.${process.pid}.tmp`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { mode: 0o700 });
  try {
    const dir = statSync(abs).isDirectory();
    cpSync(abs, dir ? stage : join(stage, basename(abs)), {
      recursive: true,
      dereference: true,
      // no VCS folder, no dangling links
      filter: (p) => !relative(abs, p).split(sep).includes(".git") && existsSync(p),
    });
    for (const e of walkTree(stage)) {
      if (e.type === "dir") chmodSync(e.path, 0o700);
      else if (e.type === "file") chmodSync(e.path, e.mode & 0o100 ? 0o700 : 0o600);
    }
    const staged = dir ? entryOf(stage)! : join(stage, basename(abs));
    const entry = join(dest, relative(stage, staged));
    const sha256 = treeChecksum(stage, isMeta);
    const rec: InstalledPlugin = { name, kind, entry, source, addedAt: new Date().toISOString(), sha256 };
    writeFileSync(join(stage, META), `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600 });
    chmodSync(join(stage, META), 0o600);
    rmSync(dest, { recursive: true, force: true });
    renameSync(stage, dest);
    return rec;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Whether the installed plugin `rec` may be loaded: its files have the checksum recorded by
 * `orch plugin add`, and they, its folder, its record and the plugins folder are owned by
 * this user and writable by nobody else. Gives the checksum; the error has no `plugin NAME: `
 * before it.
 *
 * @example
 * const t = verifyInstalled(home, rec);
 * if (!t.ok) console.error(`plugin ${rec.name}: ${t.error}`);
 */
export function verifyInstalled(home: string, rec: InstalledPlugin): Result<string> {
  const root = pluginsDir(home);
  const dir = join(root, rec.name);
  const readd = `run "orch plugin add ${rec.source}" again`;
  if (!resolve(rec.entry).startsWith(dir + sep)) {
    return fail("bad_input", `its entry file ${rec.entry} is outside its folder ${dir}; ${readd}`);
  }
  return checkTrust({
    source: rec.source,
    dir,
    skip: isMeta,
    expected: rec.sha256,
    alsoCheck: [root, join(dir, META)],
    uid: process.getuid?.(),
  });
}

/** Loads an installed plugin once {@link verifyInstalled} trusts it; the refusal is its error. */
export async function loadInstalled(home: string, rec: InstalledPlugin): Promise<Result<LoadedPlugin>> {
  const t = verifyInstalled(home, rec);
  return t.ok ? loadPlugin(rec.entry) : t;
}

/** Removes an installed plugin; false when there is none by that name. */
export function uninstall(home: string, name: string): boolean {
  const dest = join(pluginsDir(home), name);
  if (!existsSync(join(dest, META))) return false;
  rmSync(dest, { recursive: true, force: true });
  return true;
}
