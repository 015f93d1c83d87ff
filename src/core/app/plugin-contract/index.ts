/**
 * The plugin contract suite, in the spirit of unstorage's `testDriver()`: one helper drives any
 * plugin through the real task and turn flows against a scripted pane (screens, output and
 * hook events in, keystrokes out) and reports, check by check, where it breaks the contract.
 * Run for every built-in and example plugin by tests/unit/plugins/contract-flow.test.ts, and
 * for a user's plugin by `orch plugin test PLUGIN [--script FILE]`.
 */
import type { AgentPlugin, PluginFactory } from "../../plugin/contract.ts";
import { instantiatePlugin } from "../../plugin/validate.ts";
import { type CheckInput, CONTRACT_CHECKS, type ContractCheck } from "./checks.ts";
import type { ContractScript } from "./script.ts";

export { CONTRACT_CHECKS, type ContractCheck } from "./checks.ts";
export { type ContractScript, parseContractScript } from "./script.ts";

/** One check's outcome. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** What differed from the contract (absent when ok). */
  error?: string;
  ms: number;
}

/** The suite's verdict on one plugin. */
export interface ContractReport {
  /** The plugin's name, or its origin when it does not load. */
  plugin: string;
  ok: boolean;
  checks: CheckResult[];
}

/** The first three checks: a plugin that fails one of them is not run through the rest. */
const BASICS = 3;

/**
 * The checks that concern this plugin and script, each runnable on its own (a test framework
 * can make one test of each). A plugin that does not load gets the first check only.
 *
 * @example
 * ```ts
 * for (const c of contractChecks(shellPlugin, { prompt: "\x1b[?2004h$ " }))
 *   test(c.name, () => c.run());
 * ```
 */
export function contractChecks(
  factory: PluginFactory,
  script: ContractScript = {},
  origin = "the plugin under test",
): Array<{ name: string; run(): Promise<void> }> {
  const input: CheckInput = { factory, script, origin };
  const made = instantiatePlugin(factory, origin);
  const applicable: ContractCheck[] = made.ok
    ? CONTRACT_CHECKS.filter((c) => c.applies(made.value, script))
    : CONTRACT_CHECKS.slice(0, 1);
  return applicable.map((c) => ({ name: c.name, run: () => c.run(input) }));
}

/**
 * Runs every check that concerns the plugin, one after the other; past a failed basic check
 * (it loads, it starts, the script fits it) the rest are reported as not run.
 *
 * @example
 * ```ts
 * const report = await testPlugin(myPlugin, { prompt: "my$ " });
 * if (!report.ok) console.log(formatReport(report));
 * ```
 */
export async function testPlugin(
  factory: PluginFactory,
  script: ContractScript = {},
  origin = "the plugin under test",
): Promise<ContractReport> {
  const made = instantiatePlugin(factory, origin);
  const checks: CheckResult[] = [];
  let blocked: string | null = null;
  for (const [i, c] of contractChecks(factory, script, origin).entries()) {
    if (blocked) {
      checks.push({ name: c.name, ok: false, error: `not run: ${blocked}`, ms: 0 });
      continue;
    }
    const t0 = performance.now();
    try {
      await c.run();
      checks.push({ name: c.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      checks.push({ name: c.name, ok: false, error, ms: Math.round(performance.now() - t0) });
      if (i < BASICS) blocked = `"${c.name}" failed`;
    }
  }
  return {
    plugin: made.ok ? (made.value as AgentPlugin).name : origin,
    ok: checks.every((c) => c.ok),
    checks,
  };
}

/** The report as lines for a terminal: `ok   NAME` / `FAIL NAME: why`, then a summary. */
export function formatReport(r: ContractReport): string {
  const lines = r.checks.map((c) => (c.ok ? `ok   ${c.name}` : `FAIL ${c.name}: ${c.error}`));
  const failed = r.checks.filter((c) => !c.ok).length;
  lines.push(
    failed === 0
      ? `plugin ${r.plugin} keeps the contract (${r.checks.length} checks)`
      : `plugin ${r.plugin} fails ${failed} of ${r.checks.length} checks`,
  );
  return lines.join("\n");
}
