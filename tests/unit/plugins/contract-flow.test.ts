/**
 * The plugin contract suite (src/core/app/plugin-contract) run for every built-in plugin with
 * its recorded screens and hooks (tests/helpers/plugin-scripts.ts), and for the example plugins
 * with the scripts next to them (examples/plugins/*.script.json): each plugin is driven through
 * the real task and turn flows on a scripted pane, one test per check.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { contractChecks, parseContractScript } from "../../../src/core/app/plugin-contract/index.ts";
import type { MarkerSpec, TaskInput } from "../../../src/core/plugin/contract.ts";
import { loadPlugin } from "../../../src/core/plugin/external.ts";
import { builtinPlugins } from "../../../src/plugins/index.ts";
import { shellPlugin } from "../../../src/plugins/shell/index.ts";
import { PLUGIN_SCRIPTS } from "../../helpers/plugin-scripts.ts";

const EXAMPLES = resolve(import.meta.dir, "..", "..", "..", "examples", "plugins");

const builtins = Object.entries(builtinPlugins).map(([name, factory]) => {
  const script = PLUGIN_SCRIPTS[name];
  if (!script)
    throw new Error(`tests/helpers/plugin-scripts.ts has no script for the built-in plugin ${name}`);
  return { name, factory, script, origin: `built-in ${name}` };
});

const examples = await Promise.all(
  ["dash-agent.ts", "bash-lite.json"].map(async (file) => {
    const loaded = await loadPlugin(join(EXAMPLES, file));
    if (!loaded.ok) throw new Error(loaded.error);
    const scriptFile = join(EXAMPLES, file.replace(/\.(ts|json)$/, ".script.json"));
    const parsed = parseContractScript(JSON.parse(readFileSync(scriptFile, "utf8")), scriptFile);
    if (!parsed.ok) throw new Error(parsed.error);
    return { name: file, factory: loaded.value.factory, script: parsed.value, origin: join(EXAMPLES, file) };
  }),
);

describe.each([...builtins, ...examples].map((p) => [p.name, p] as const))("plugin contract: %s", (_n, p) => {
  const checks = contractChecks(p.factory, p.script, p.origin);

  test("every check that concerns it runs", () => {
    expect(checks.length).toBeGreaterThanOrEqual(8);
  });

  test.each(checks.map((c) => [c.name, c] as const))(
    "%s",
    async (_name, c) => {
      await c.run();
    },
    20_000,
  );
});

test("a plugin with detect.nonce that prints a fixed suffix fails the nonce check, naming the suffix", async () => {
  const fixed = () => ({
    ...shellPlugin(),
    name: "fixed-suffix",
    frame: (task: TaskInput, m: MarkerSpec) => shellPlugin().frame(task, { ...m, suffix: "---" }),
  });
  const check = contractChecks(fixed, PLUGIN_SCRIPTS.shell!, "test").find((c) =>
    c.name.startsWith("with detect.nonce"),
  );
  expect(check).toBeDefined();
  await expect(check!.run()).rejects.toThrow(/does not contain the suffix "-[0-9a-f]{20}---"/);
});
