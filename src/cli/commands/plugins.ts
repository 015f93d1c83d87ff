import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { execa } from "execa";
import { errorMessage } from "../../core/domain/result.ts";
import type { AgentPlugin, PluginFactory } from "../../core/plugin/contract.ts";
import {
  install,
  listInstalled,
  loadInstalled,
  loadPlugin,
  type PluginKind,
  uninstall,
} from "../../core/plugin/external.ts";
import { makeStartupContext } from "../../core/plugin/startup-context.ts";
import { octal } from "../../core/plugin/trust.ts";
import { builtinPlugins } from "../../plugins/index.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson, printTable } from "../output.ts";
import { err, out } from "../stdio.ts";

/**
 * What a plugin will run, as `add` and `show` print it: its command, env names, the files it
 * seeds (where, with which mode) and, for an installed one, the checksum `add` recorded.
 */
function describePlugin(
  p: AgentPlugin,
  kind: PluginKind | "built-in",
  source: string | null,
  sha256: string | null = null,
) {
  let argv: string[] | null = null;
  let env: string[] = [];
  let files: string[] = [];
  let seeds: Array<{ path: string; mode: string }> = [];
  let startupError: string | null = null;
  const dataDir = "$ORCH_HOME/workers/WORKER";
  try {
    const spec = p.startup(
      makeStartupContext({ workerName: "WORKER", project: "/path/to/project", dataDir }),
    );
    argv = spec.argv;
    env = Object.keys(spec.env ?? {});
    files = (spec.files ?? []).map((f) => f.path);
    // as the controller writes them: relative to the worker's data dir, 0600 unless told
    seeds = (spec.files ?? []).map((f) => ({
      path: isAbsolute(f.path) ? f.path : join(dataDir, f.path),
      mode: octal(f.mode ?? 0o600),
    }));
  } catch (e) {
    startupError = errorMessage(e);
  }
  return {
    name: p.name,
    version: p.version,
    description: p.description,
    kind,
    source,
    detect: p.detect.kind,
    command: argv,
    env,
    files,
    seeds,
    sha256,
    screenStates: Object.keys(p.detect.screen ?? {}).filter((k) => k !== "latestTurn"),
    approval: p.approval ? { approveKeys: p.approval.approveKeys, denyKeys: p.approval.denyKeys } : null,
    ...(startupError ? { startupError } : {}),
  };
}

function printDescription(d: ReturnType<typeof describePlugin>): void {
  out.line(`${d.name} ${d.version} (${d.kind}${d.source ? `, from ${d.source}` : ""})`);
  out.line(`  ${d.description}`);
  out.line(`  runs:      ${d.command ? d.command.join(" ") : `(startup failed: ${d.startupError})`}`);
  if (d.env.length) out.line(`  env:       ${d.env.join(", ")}`);
  if (d.seeds.length) out.line(`  seeds:     ${d.seeds.map((f) => `${f.path} (${f.mode})`).join(", ")}`);
  out.line(
    `  completion: ${d.detect}${d.screenStates.length ? ` (screen: ${d.screenStates.join(", ")})` : ""}`,
  );
  if (d.approval)
    out.line(
      `  approval:  approve ${d.approval.approveKeys.join(" ")}, deny ${d.approval.denyKeys.join(" ")}`,
    );
  if (d.sha256) out.line(`  sha256:    ${d.sha256}`);
}

/** npm package specs (`name`, `@scope/name`, `name@1.2.3`) are installed into a temp dir first. */
async function fetchNpm(spec: string): Promise<{ dir: string; cleanup: () => void }> {
  const tmp = mkdtempSync(join(tmpdir(), "orch-plugin-"));
  const r = await execa("npm", ["install", "--prefix", tmp, "--no-save", "--no-audit", "--no-fund", spec], {
    reject: false,
  });
  if (r.exitCode !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new CliError(
      `npm could not install "${spec}": ${String(r.stderr).trim().split("\n").slice(-3).join(" ")}`,
      EXIT.usage,
    );
  }
  const name = spec.startsWith("@") ? `@${spec.slice(1).split("@")[0]}` : spec.split("@")[0]!;
  return {
    dir: join(tmp, "node_modules", name),
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

async function reload(ctx: CliContext): Promise<void> {
  if (!(await ctx.api.alive())) return;
  const r = await ctx.api.call<{ loaded: string[]; errors: string[] }>("POST", "/v1/plugins/reload", {});
  for (const e of r.errors) err.write(`orch: warning: ${e}\n`);
}

/** `orch plugin add SRC`: validates the plugin, shows what it runs, installs it under ORCH_HOME. */
export async function pluginAddCommand(ctx: CliContext, src: string): Promise<number> {
  // an npm package spec (`name`, `@scope/name`, `name@1.2.3`), not a file that is missing
  const looksLikePath =
    src.startsWith(".") || src.startsWith("/") || /\.(ts|js|mjs|mts|json|toml)$/i.test(src);
  const looksLikePackage =
    !existsSync(src) && !looksLikePath && /^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(@[^/\s]+)?$/i.test(src);
  const fetched = looksLikePackage ? await fetchNpm(src) : null;
  try {
    const r = await loadPlugin(fetched?.dir ?? src);
    if (!r.ok) throw new CliError(r.error, EXIT.usage);
    const { plugin, kind } = r.value;
    if (Object.hasOwn(builtinPlugins, plugin.name)) {
      throw new CliError(
        `plugin "${plugin.name}" from ${src} has the name of a built-in agent type: rename it`,
        EXIT.usage,
      );
    }
    mkdirSync(ctx.home, { recursive: true, mode: 0o700 });
    // the record names what to add again: the npm spec, or the path made absolute
    const rec = install(ctx.home, plugin.name, fetched?.dir ?? src, kind, fetched ? src : undefined);
    const d = describePlugin(plugin, kind, src, rec.sha256 ?? null);
    await reload(ctx);
    if (ctx.json) printJson({ added: true, ...d, entry: rec.entry });
    else {
      printDescription(d);
      out.line(`added plugin ${d.name}: orch add-worker --type ${d.name} --project DIR`);
    }
    return EXIT.ok;
  } finally {
    fetched?.cleanup();
  }
}

/**
 * Built-in and installed plugins, each loaded (a broken or untrusted installed one is listed
 * with its error: see verifyInstalled).
 */
async function allPlugins(home: string) {
  const out: Array<
    { desc: ReturnType<typeof describePlugin> } | { name: string; error: string; source: string }
  > = [];
  for (const factory of Object.values(builtinPlugins) as PluginFactory[]) {
    out.push({ desc: describePlugin(factory(), "built-in", null) });
  }
  for (const rec of listInstalled(home)) {
    const r = await loadInstalled(home, rec);
    out.push(
      r.ok
        ? { desc: describePlugin(r.value.plugin, r.value.kind, rec.source, rec.sha256 ?? null) }
        : { name: rec.name, error: r.error, source: rec.source },
    );
  }
  return out;
}

/** `orch plugin list`. */
export async function pluginListCommand(ctx: CliContext): Promise<number> {
  const all = await allPlugins(ctx.home);
  if (ctx.json) {
    printJson(
      all.map((p) =>
        "desc" in p ? p.desc : { name: p.name, kind: "broken", source: p.source, error: p.error },
      ),
    );
    return EXIT.ok;
  }
  printTable(
    ["NAME", "VERSION", "KIND", "COMPLETION", "DESCRIPTION"],
    all.map((p) =>
      "desc" in p
        ? [p.desc.name, p.desc.version, p.desc.kind, p.desc.detect, p.desc.description]
        : [p.name, "-", "broken", "-", p.error],
    ),
  );
  return EXIT.ok;
}

/** `orch plugin show NAME`. */
export async function pluginShowCommand(ctx: CliContext, name: string): Promise<number> {
  const all = await allPlugins(ctx.home);
  const p = all.find((x) => ("desc" in x ? x.desc.name : x.name) === name);
  if (!p) {
    const names = all.map((x) => ("desc" in x ? x.desc.name : x.name)).join(", ");
    throw new CliError(`no plugin named "${name}" (plugins: ${names})`, EXIT.usage);
  }
  if (!("desc" in p)) throw new CliError(`plugin "${name}" is installed but broken: ${p.error}`, EXIT.usage);
  if (ctx.json) printJson(p.desc);
  else printDescription(p.desc);
  return EXIT.ok;
}

/** `orch plugin remove NAME`. */
export async function pluginRemoveCommand(ctx: CliContext, name: string): Promise<number> {
  if (Object.hasOwn(builtinPlugins, name))
    throw new CliError(`"${name}" is built in and cannot be removed`, EXIT.usage);
  if (!uninstall(ctx.home, name)) {
    const names = listInstalled(ctx.home).map((p) => p.name);
    throw new CliError(
      `no installed plugin named "${name}"${names.length ? ` (installed: ${names.join(", ")})` : " (none installed)"}`,
      EXIT.usage,
    );
  }
  await reload(ctx);
  if (ctx.json) printJson({ removed: name });
  else out.line(`removed plugin ${name}`);
  return EXIT.ok;
}
