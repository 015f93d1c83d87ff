import { shellQuote } from "../tmux/quote.ts";
import type { StartupContext } from "./contract.ts";

/**
 * A {@link StartupContext} as the controller builds it: hooks call
 * `<orchArgv> hook --home HOME --worker NAME EVENT`. For plugin tests and tools that start an
 * agent the way orch would.
 *
 * @example
 * const ctx = makeStartupContext({ workerName: "c1", project: "/src/app", dataDir: "/tmp/c1" });
 * ctx.hook.command("Stop"); // "'orch' hook --home '/tmp/c1' --worker 'c1' Stop"
 * ctx.skipPermissions; // false unless given `skipPermissions: true`
 */
export function makeStartupContext(o: {
  workerName: string;
  project: string;
  dataDir: string;
  home?: string;
  orchArgv?: string[];
  orchHome?: string;
  /** The agent type is in the config's `skipPermissions` (default false). */
  skipPermissions?: boolean;
  /** What a hook runs instead of `orch hook` (on a host over ssh: orch's helper there). */
  hookArgv?: (event: string) => string[];
}): StartupContext {
  const argv = (event: string) =>
    o.hookArgv?.(event) ?? [
      ...(o.orchArgv ?? ["orch"]),
      "hook",
      "--home",
      o.orchHome ?? o.dataDir,
      "--worker",
      o.workerName,
      event,
    ];
  return {
    workerName: o.workerName,
    project: o.project,
    dataDir: o.dataDir,
    home: o.home ?? process.env.HOME ?? "/",
    orchHome: o.orchHome ?? o.dataDir,
    hook: { argv, command: (event) => argv(event).map(shellQuote).join(" ") },
    skipPermissions: o.skipPermissions ?? false,
  };
}
