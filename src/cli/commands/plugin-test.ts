import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import {
  type ContractScript,
  formatReport,
  parseContractScript,
  testPlugin,
} from "../../core/app/plugin-contract/index.ts";
import { errorMessage } from "../../core/domain/result.ts";
import { loadPlugin } from "../../core/plugin/external.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { out } from "../stdio.ts";

/** The script next to a plugin file: `dash-agent.ts` -> `dash-agent.script.json`; null for a folder. */
export function siblingScript(src: string): string | null {
  if (!existsSync(src) || statSync(src).isDirectory()) return null;
  const file = join(dirname(src), `${basename(src, extname(src))}.script.json`);
  return existsSync(file) ? file : null;
}

function readScript(file: string): ContractScript {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`contract script ${file} is not readable JSON: ${errorMessage(e)}`, EXIT.usage);
  }
  const r = parseContractScript(value, file);
  if (!r.ok) throw new CliError(r.error, EXIT.usage);
  return r.value;
}

/**
 * `orch plugin test SRC [--script FILE]`: runs the plugin contract suite on a plugin file or
 * folder without installing it (nothing is started: a scripted pane plays the agent). The
 * script says what the agent shows; without `--script`, `<SRC without extension>.script.json`
 * is used when it exists. Exit 0 when every check passes, 1 when one fails, 2 when the plugin
 * or the script cannot be read.
 */
export async function pluginTestCommand(ctx: CliContext, src: string, scriptFile?: string): Promise<number> {
  const loaded = await loadPlugin(src);
  if (!loaded.ok) throw new CliError(loaded.error, EXIT.usage);
  const file = scriptFile ?? siblingScript(src);
  const script = file ? readScript(file) : {};
  const report = await testPlugin(loaded.value.factory, script, src);
  if (ctx.json) printJson({ ...report, script: file });
  else {
    if (!file) out.line(`(no script: pass --script FILE, or put one at <plugin>.script.json)`);
    out.line(formatReport(report));
  }
  return report.ok ? EXIT.ok : EXIT.taskFailed;
}
