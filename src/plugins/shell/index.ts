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
 * TAB), bracketed paste so pasted text is inserted literally (and drawn once, not highlighted
 * and then drawn again), a plain prompt, no pagers.
 */
const RC = `set +H
bind 'set disable-completion on' 2>/dev/null
bind 'set enable-bracketed-paste on' 2>/dev/null
bind 'set enable-active-region off' 2>/dev/null
bind 'set horizontal-scroll-mode off' 2>/dev/null
bind 'set input-meta on' 2>/dev/null
bind 'set output-meta on' 2>/dev/null
bind 'set convert-meta off' 2>/dev/null
PS1='$ '
PS2=''
unset PROMPT_COMMAND HISTFILE
export PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER=cat
`;

/** The id as a shell word: bare when plain (a UUID is), quoted otherwise. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : shellQuote(s);
}

/** A marker's first three characters and the rest, quoted: the two never echo as the marker. */
function splitQuoted(marker: string): string {
  return `${shellQuote(marker.slice(0, 3))} ${shellQuote(marker.slice(3))}`;
}

/**
 * The helpers a shell gets with its first task: `_orch_s ID` prints the start marker and keeps
 * the id, `_orch_e` prints the end marker with the status of the command before it. Every
 * task after is then a short line, which matters: bash's readline reads a paste one byte per
 * read(2), so each character typed costs the worker a few microseconds of system time.
 */
function sessionHelpers(m: MarkerSpec): string {
  const suffix = shellQuote(m.suffix);
  return (
    `_orch_s() { _orch_t=$1; printf '%s%s%s%s\\n' ${splitQuoted(m.startPrefix)} "$1" ${suffix}; }; ` +
    `_orch_e() { printf '%s%s%s-%d%s\\n' ${splitQuoted(m.endPrefix)} "$_orch_t" "$?" ${suffix}; }; `
  );
}

/**
 * Frames a task as one bash input: print the start marker, run the text in a subshell (so
 * `exit` ends the task, not the worker), then print the end marker with `$?`. The markers come
 * from shell functions the session's first frame defines (`task.fresh` not false); the echoed
 * line never contains a marker verbatim.
 *
 * @example
 * frameShellTask({ id: "t1", text: "make test", fresh: false }, markers);
 * // "_orch_s t1;(\nmake test\n);_orch_e"
 */
export function frameShellTask(task: TaskInput, m: MarkerSpec): string {
  const text = pasteSafe(task.text);
  const setup = task.fresh === false ? "" : sessionHelpers(m);
  return `${setup}_orch_s ${shellWord(task.id)};(\n${text}\n);_orch_e`;
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
