/**
 * An example agent type written as code: a POSIX `dash` shell where each task is a command
 * line and completion comes from the end marker. Install it with
 *
 *   orch plugin add examples/plugins/dash-agent.ts
 *   orch add-worker --type dash --project ~/src/app
 *   orch send dash-1 --wait 'ls | wc -l'
 *
 * A plugin imports only `orch:sdk` (the binary provides it; TypeScript sees it through the
 * `paths` entry in tsconfig.json).
 */
import { definePlugin, pasteSafe, shellQuote } from "orch:sdk";

/** printf of a marker split in two, so the echoed command line never contains it verbatim. */
function printMarker(marker: string, withStatus: boolean): string {
  const [head, tail] = [marker.slice(0, 3), marker.slice(3)];
  return withStatus
    ? `printf '%s%s-%d---\\n' ${shellQuote(head)} ${shellQuote(tail)} "$?"`
    : `printf '%s%s\\n' ${shellQuote(head)} ${shellQuote(tail)}`;
}

export default definePlugin(() => ({
  name: "dash",
  description: "POSIX dash shell in the project; each task is one command line (example plugin)",
  version: "1.0.0",
  startup: (ctx) => ({
    argv: ["dash", "-i"],
    env: { PS1: "dash$ ", ORCH_WORKER: ctx.workerName },
    ready: /dash\$ $/,
  }),
  frame: (task, m) => {
    const text = pasteSafe(task.text);
    if (text.includes("\n")) throw new Error("the dash plugin takes one line per task");
    if (m.suffix !== "---")
      throw new Error(`the dash plugin expects the end marker suffix "---", got "${m.suffix}"`);
    const start = printMarker(`${m.startPrefix}${task.id}${m.suffix}`, false);
    const end = printMarker(`${m.endPrefix}${task.id}`, true);
    return { text: `${start}; ${text}; ${end}`, submit: ["Enter"] };
  },
  detect: { kind: "marker" },
  interruptKeys: ["C-c"],
}));
