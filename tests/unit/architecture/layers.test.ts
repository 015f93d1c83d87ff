/**
 * The layer order of ARCHITECTURE.md, checked on every import in src/: imports point down
 * (cli -> app -> controller -> hosts -> plugin -> tmux -> store -> runtime -> domain), the core never
 * imports a plugin, a plugin imports only the SDK, domain does no I/O, and Bun's own modules
 * and globals are used only in src/core/runtime.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../../..");
const SRC = join(ROOT, "src");

/** Layers from the bottom up: a file may import its own layer and those below it. */
const ORDER = ["domain", "runtime", "store", "tmux", "plugin", "hosts", "controller", "app", "cli"] as const;
type Layer = (typeof ORDER)[number] | "plugins";

/** Node modules that do I/O or reach outside the process: not for the pure domain. */
const IO_MODULES =
  /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|os|worker_threads|timers|timers\/promises)$/;

function layerOf(file: string): Layer | null {
  const rel = relative(SRC, file).split("/");
  if (rel[0] === "cli") return "cli";
  if (rel[0] === "plugins") return "plugins";
  if (rel[0] === "core" && (ORDER as readonly string[]).includes(rel[1] ?? "")) return rel[1] as Layer;
  return null;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** The code of a file without its comments (an `import(...)` in a doc example is no import). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

interface Import {
  file: string;
  spec: string;
  typeOnly: boolean;
}

export function importsOf(file: string): Import[] {
  const src = code(readFileSync(file, "utf8"));
  const out: Import[] = [];
  for (const m of src.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+["']([^"']+)["']/gm)) {
    out.push({ file, spec: m[3]!, typeOnly: m[2] !== undefined });
  }
  for (const m of src.matchAll(/^\s*import\s+["']([^"']+)["']/gm))
    out.push({ file, spec: m[1]!, typeOnly: false });
  for (const m of src.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g))
    out.push({ file, spec: m[1]!, typeOnly: false });
  return out;
}

const files = tsFiles(SRC);
const all = files.flatMap(importsOf);
const show = (i: Import) => `${relative(ROOT, i.file)} imports "${i.spec}"`;
const target = (i: Import) => normalize(join(dirname(i.file), i.spec));

describe("layers (ARCHITECTURE.md)", () => {
  test("the check sees the imports (it would catch a bad one)", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(all.filter((i) => i.spec.startsWith(".")).length).toBeGreaterThan(300);
    // a planted upward import is reported
    const planted: Import = {
      file: join(SRC, "core/domain/x.ts"),
      spec: "../store/index.ts",
      typeOnly: false,
    };
    expect(upward([planted])).toEqual([show(planted)]);
  });

  test("imports point down: no layer imports one above it", () => {
    expect(upward(all)).toEqual([]);
  });

  test("the core never imports a plugin; a plugin imports only the SDK (and its own files)", () => {
    const bad = all.filter((i) => {
      if (!i.spec.startsWith(".")) return false;
      const from = layerOf(i.file);
      const to = layerOf(target(i));
      if (from !== "plugins") return from !== "cli" && to === "plugins";
      if (to === "plugins") return false;
      return relative(SRC, target(i)) !== "core/plugin/sdk.ts";
    });
    expect(bad.map(show)).toEqual([]);
  });

  test("domain does no I/O: no node I/O modules, no Bun, no timers", () => {
    const domain = files.filter((f) => layerOf(f) === "domain");
    const bad = all.filter(
      (i) => layerOf(i.file) === "domain" && (IO_MODULES.test(i.spec) || i.spec.startsWith("bun")),
    );
    expect(bad.map(show)).toEqual([]);
    const globals = domain.filter((f) =>
      /\b(Bun\.|setTimeout|setInterval|fetch\(|process\.)/.test(code(readFileSync(f, "utf8"))),
    );
    expect(globals.map((f) => relative(ROOT, f))).toEqual([]);
  });

  test("Bun's modules and globals are used only in src/core/runtime", () => {
    const core = files.filter((f) => relative(SRC, f).startsWith("core/") && layerOf(f) !== "runtime");
    const modules = all.filter(
      (i) => core.includes(i.file) && !i.typeOnly && (i.spec === "bun" || i.spec.startsWith("bun:")),
    );
    expect(modules.map(show)).toEqual([]);
    const globals = core.filter((f) => /\bBun\.[a-zA-Z]/.test(code(readFileSync(f, "utf8"))));
    expect(globals.map((f) => relative(ROOT, f))).toEqual([]);
  });
});

/** The imports that reach a layer above their own. */
function upward(imports: Import[]): string[] {
  return imports
    .filter((i) => {
      if (!i.spec.startsWith(".")) return false;
      const from = layerOf(i.file);
      const to = layerOf(target(i));
      if (!from || !to || from === "plugins" || to === "plugins") return false;
      return ORDER.indexOf(to) > ORDER.indexOf(from);
    })
    .map(show);
}
