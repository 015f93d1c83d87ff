import {
  type AgentPlugin,
  definePlugin,
  type MarkerSpec,
  pasteSafe,
  shellQuote,
  type TaskInput,
} from "../../core/plugin/sdk.ts";

/**
 * bash set up for exact delivery: no history expansion (`!`), no completion (a TAB is a
 * TAB), bracketed paste so pasted text is inserted literally, a plain prompt, no pagers.
 */
const RC = `set +H
bind 'set disable-completion on' 2>/dev/null
bind 'set enable-bracketed-paste on' 2>/dev/null
bind 'set horizontal-scroll-mode off' 2>/dev/null
bind 'set input-meta on' 2>/dev/null
bind 'set output-meta on' 2>/dev/null
bind 'set convert-meta off' 2>/dev/null
PS1='$ '
PS2=''
unset PROMPT_COMMAND HISTFILE
export PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER=cat
`;

/** Splits a marker so that the echoed command line never contains it verbatim. */
function splitPrintf(marker: string, rest: string, withStatus: boolean): string {
  const head = marker.slice(0, 3);
  const tail = marker.slice(3);
  if (withStatus) return `printf '%s%s-%d%s\\n' ${shellQuote(head)} ${shellQuote(tail)} "$?" ${rest}`;
  return `printf '%s%s\\n' ${shellQuote(head)} ${shellQuote(tail)}`;
}

/**
 * Frames a task as one bash input: print the start marker, run the text in a subshell
 * (so `exit` ends the task, not the worker), then print the end marker with `$?`.
 */
export function frameShellTask(task: TaskInput, m: MarkerSpec): string {
  const text = pasteSafe(task.text);
  const start = splitPrintf(`${m.startPrefix}${task.id}${m.suffix}`, "", false);
  const end = splitPrintf(`${m.endPrefix}${task.id}`, shellQuote(m.suffix), true);
  return `${start}; (\n${text}\n); ${end}`;
}

/** The `shell` agent type: a bash in the project directory running each task as a command. */
export const shellPlugin = definePlugin(
  (): AgentPlugin => ({
    name: "shell",
    description: "bash in the project directory; each task is a shell command, completion by end marker",
    version: "1.0.0",
    startup: (ctx) => ({
      argv: ["bash", "--noprofile", "--rcfile", `${ctx.dataDir}/shellrc`, "-i"],
      env: { ORCH_WORKER: ctx.workerName },
      files: [{ path: "shellrc", content: RC, mode: 0o600 }],
      ready: /\x1b\[\?2004h/,
    }),
    frame: (task, markers) => ({ text: frameShellTask(task, markers), submit: ["Enter"] }),
    detect: { kind: "marker" },
    interruptKeys: ["C-c"],
    // the seed's echo probe: the answer (42) is not in the echoed line, only in bash's output
    probe: { text: "echo orch-probe-$((6 * 7))", expect: /orch-probe-42/ },
  }),
);
