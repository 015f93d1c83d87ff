import {
  type AgentPlugin,
  type Delivery,
  definePlugin,
  type MarkerSpec,
  pasteSafe,
  shellQuote,
  type TaskInput,
} from "../../core/plugin/sdk.ts";

/**
 * bash set up for exact delivery: no history expansion (`!`), no completion (a TAB is a
 * TAB), bracketed paste so pasted text is inserted literally (and drawn once, not highlighted
 * and then drawn again), a plain prompt, no pagers. No history either: a task's line holds its
 * markers' nonce, which the task must not read back (`history`, `fc`).
 */
const RC = `set +H
set +o history
bind 'set disable-completion on' 2>/dev/null
bind 'set enable-bracketed-paste on' 2>/dev/null
bind 'set enable-active-region off' 2>/dev/null
bind 'set horizontal-scroll-mode off' 2>/dev/null
bind 'set input-meta on' 2>/dev/null
bind 'set output-meta on' 2>/dev/null
bind 'set convert-meta off' 2>/dev/null
bind 'set bell-style none' 2>/dev/null
PS1='$ '
PS2=''
unset PROMPT_COMMAND HISTFILE
export PAGER=cat GIT_PAGER=cat SYSTEMD_PAGER=cat
`;

/**
 * readline keys that empty the input line before a task is pasted: C-g ends whatever a stray
 * key began (a search, a key sequence, a numeric argument), C-e C-u drop the line. What they
 * drop is what came in since the last prompt: a terminal's replies to queries the last task
 * sent (`ESC [6n` is answered after the task ended, as typed text), keys a user typed.
 */
export const SHELL_CLEAR_KEYS: readonly string[] = ["C-g", "C-e", "C-u"];

/** A word as a shell word: bare when plain (a UUID is), quoted otherwise. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(s) ? s : shellQuote(s);
}

/** A marker's first three characters and the rest, quoted: the two never echo as the marker. */
function splitQuoted(marker: string): string {
  return `${shellQuote(marker.slice(0, 3))} ${shellQuote(marker.slice(3))}`;
}

/**
 * The helpers a shell gets with its first task: `_orch_s SUFFIX ID` prints the start marker
 * and keeps the id, `_orch_e SUFFIX` prints the end marker with the status of the command
 * before it. The suffix (it carries the task's nonce) is an argument, never kept: a function's
 * body and the shell's variables are what the task's subshell can read. Every task after is
 * then a short line, which matters: bash's readline reads a paste one byte per read(2), so
 * each character typed costs the worker a few microseconds of system time.
 */
function sessionHelpers(m: MarkerSpec): string {
  return (
    "set +o history;history -c;" +
    `_orch_s() { _orch_t=$2; printf '%s%s%s%s\\n' ${splitQuoted(m.startPrefix)} "$2" "$1"; }; ` +
    `_orch_e() { printf '%s%s%s-%d%s\\n' ${splitQuoted(m.endPrefix)} "$_orch_t" "$?" "$1"; }; `
  );
}

/**
 * Frames a task as one bash input: print the start marker, run the text in a subshell (so
 * `exit` ends the task, not the worker) through `eval` of one quoted word (so a syntax error
 * in it fails the task with bash's message and status 2, and cannot swallow the end), then
 * print the end marker with `$?`. The markers come from shell functions the session's first
 * frame defines (`task.fresh` not false); the suffix is passed to them on the line, after the
 * id so that `$_` in the subshell is the id. The echoed line never contains a marker verbatim.
 *
 * @example
 * frameShellTask({ id: "t1", text: "make test", fresh: false }, { ...markers, suffix: "-n0nce---" });
 * // "_orch_s -n0nce--- t1;(eval 'make test');_orch_e -n0nce---"
 */
export function frameShellTask(task: TaskInput, m: MarkerSpec): string {
  const text = pasteSafe(task.text);
  const setup = task.fresh === false ? "" : sessionHelpers(m);
  const sfx = shellWord(m.suffix);
  return `${setup}_orch_s ${sfx} ${shellWord(task.id)};(eval ${shellQuote(text)});_orch_e ${sfx}`;
}

/** How the shell plugins deliver a task: the line cleared, the framed text pasted, Enter. */
export function shellDelivery(task: TaskInput, m: MarkerSpec): Delivery {
  return { clearKeys: [...SHELL_CLEAR_KEYS], text: frameShellTask(task, m), submit: ["Enter"] };
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
    frame: shellDelivery,
    detect: { kind: "marker", nonce: true },
    interruptKeys: ["C-c"],
    // the seed's echo probe: the answer (42) is not in the echoed line, only in bash's output
    probe: { text: "echo orch-probe-$((6 * 7))", expect: /orch-probe-42/, clearKeys: [...SHELL_CLEAR_KEYS] },
  }),
);
