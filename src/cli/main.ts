#!/usr/bin/env bun
import { cac } from "cac";
import pkg from "../../package.json" with { type: "json" };
import { ownArgvUtf8Error } from "./argv-utf8.ts";
import { flagList, joinText, str } from "./argv-words.ts";
import { makeContext, selfArgv } from "./context.ts";
import { addOwnFileCommands } from "./doctor-argv.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { failureLine } from "./failure-line.ts";
import {
  addWorkerCommand,
  answerCommand,
  attachCommand,
  backupCommand,
  cancelCommand,
  captureCommand,
  eventsCommand,
  exportStateCommand,
  healthCheckCommand,
  hookCommand,
  keysCommand,
  killWorkerCommand,
  logsCommand,
  pluginAddCommand,
  pluginListCommand,
  pluginRemoveCommand,
  pluginShowCommand,
  pluginTestCommand,
  reportCommand,
  restoreCommand,
  resultsCommand,
  reviveCommand,
  runCommand,
  runsCommand,
  sendCommand,
  serviceCommand,
  startCommand,
  statusCommand,
  stopCommand,
  submitCommand,
  taskCommand,
} from "./lazy-commands.ts";
import { markLiteral, unmarkLiteral } from "./literal-argv.ts";
import { err, exitAfterOutput } from "./stdio.ts";

type Opts = Record<string, unknown> & { home?: string; json?: boolean; "--"?: string[] };

/** The numeric flags' validators (zod), loaded only when such a flag is given: zod costs every command's start. */
const numericFlags = () => import("./flags.ts");

/** `--timeout` and `--retries` as numbers, validated (a bad one is a usage error naming it). */
async function timeoutRetriesFlags(o: Opts): Promise<{ timeout?: number; retries?: number }> {
  if (o.timeout === undefined && o.retries === undefined) return {};
  const { secondsFlag, wholeFlag } = await numericFlags();
  return {
    ...(o.timeout !== undefined ? { timeout: secondsFlag(o.timeout, "--timeout") } : {}),
    ...(o.retries !== undefined ? { retries: wholeFlag(o.retries, "--retries", 0, 100) } : {}),
  };
}

/** `--limit` as a whole number from 1 to `max`, validated; none when not given. */
async function limitFlag(o: Opts, max: number): Promise<{ limit?: number }> {
  if (o.limit === undefined) return {};
  const { wholeFlag } = await numericFlags();
  return { limit: wholeFlag(o.limit, "--limit", 1, max) };
}

/** The flags (`--timeout`, `-o`, ...) of these options that take a value. */
function valueFlags(options: readonly { rawName: string; isBoolean?: boolean }[]): Set<string> {
  const flags = options
    .filter((opt) => !opt.isBoolean)
    .flatMap((opt) => opt.rawName.split(",").map((n) => n.trim().split(/\s/)[0]!));
  return new Set(flags);
}

/** The most tasks or runs one listing (`--limit`) asks for. */
const MAX_LIST_LIMIT = 100_000;

function build() {
  const cli = cac("orch");
  cli.option("--home <dir>", "orch's state directory (env ORCH_HOME, default $XDG_STATE_HOME/orch)");
  cli.option("--json", "print JSON (on every command that reads)");

  cli
    .command("start", "Start the controller and tmux (idempotent)")
    .option(
      "--orphans <choice>",
      "agents' panes no worker owns (after a restore): adopt (default), kill or keep",
    )
    .action(async (o: Opts) =>
      startCommand(makeContext(o), {
        ...(o.orphans !== undefined ? { orphans: (await numericFlags()).orphansFlag(o.orphans) } : {}),
      }),
    );
  cli
    .command("stop", "Stop the controller; agents keep running")
    .option("--kill-workers", "also kill every worker and the tmux server")
    .action((o: Opts) => stopCommand(makeContext(o), { killWorkers: Boolean(o.killWorkers) }));
  cli
    .command("daemon", "Run the controller in the foreground (for systemd)")
    .option("--log-json", "log JSON lines on stdout")
    .option("--orphans <choice>", "agents' panes no worker owns: adopt (default), kill or keep")
    .action(async (o: Opts) => {
      const { runDaemon } = await import("../core/controller/daemon.ts");
      const { builtinPlugins } = await import("../plugins/index.ts");
      const { workflowRuns } = await import("../core/app/runs/extension.ts");
      const { storeState } = await import("../core/app/state/extension.ts");
      const ctx = makeContext(o);
      return runDaemon({
        extensions: [workflowRuns, storeState],
        home: ctx.home,
        version: pkg.version,
        plugins: builtinPlugins,
        logStdout: true,
        logJson: Boolean(o.logJson),
        orchArgv: selfArgv(),
        ...(o.orphans !== undefined ? { orphans: (await numericFlags()).orphansFlag(o.orphans) } : {}),
      });
    });
  const addWorker = cli
    .command("add-worker", "Spawn a worker; prints its name")
    .option("--type <type>", "agent type (plugin), e.g. shell")
    .option("--project <dir>", "project directory the agent works in")
    .option("--name <name>", "worker name (default TYPE-N)")
    .option("--worktree", "run in a git worktree of its own, on branch orch/NAME (removed with the worker)")
    .option("--no-worktree", "run in the project itself (overrides worktree: true in the config)")
    .option("--host <name>", "the host to run it on (orch host list; default local)")
    .action((o: Opts) => {
      const worktree = Array.isArray(o.worktree) ? o.worktree.at(-1) : o.worktree;
      return addWorkerCommand(makeContext(o), {
        type: str(o.type, "--type"),
        project: str(o.project, "--project"),
        ...(o.name !== undefined ? { name: str(o.name, "--name") } : {}),
        ...(o.host !== undefined ? { host: str(o.host, "--host") } : {}),
        ...(worktree !== undefined ? { worktree: Boolean(worktree) } : {}),
      });
    });
  // neither --worktree nor --no-worktree: undefined, so the config decides (cac would say true)
  for (const opt of addWorker.options) if (opt.negated) opt.config.default = undefined;
  cli
    .command("status", "Show the controller and its workers")
    .action((o: Opts) => statusCommand(makeContext(o)));
  cli
    .command("send <worker> [...text]", "Send a task to one worker; prints its id, or its output with --wait")
    .option("--wait", "wait for the task and print its output; exit with its verdict")
    .option("--timeout <sec>", "task timeout in seconds (default COMMAND_TIMEOUT)")
    .option("--retries <n>", "retries after a failed or timed-out attempt (default 0)")
    .option("--key <key>", "send a named key (Enter, Escape, C-c, 1, ...) instead of a task; repeatable")
    .action(async (worker: string, text: unknown[], o: Opts) => {
      if (o.key !== undefined) {
        const keys = (Array.isArray(o.key) ? o.key : [o.key]).map((k) => str(k, "--key"));
        if (joinText(text, o)) throw new CliError("give either TEXT or --key, not both", EXIT.usage);
        return keysCommand(makeContext(o), String(worker), keys);
      }
      return sendCommand(makeContext(o), String(worker), joinText(text, o), {
        wait: Boolean(o.wait),
        ...(await timeoutRetriesFlags(o)),
      });
    });
  cli
    .command(
      "submit [...text]",
      "Queue a task for whichever worker fits; prints its id, or its output with --wait",
    )
    .option("--type <type>", "agent type, or a task type routed to one (default: routes, then defaultAgent)")
    .option("--project <dir>", "only a worker in this project (one is started there if none fits)")
    .option("--priority <p>", "critical, high, normal (default) or low")
    .option("--tag <tag>", "a tag for routing; repeatable")
    .option("--timeout <sec>", "task timeout in seconds (default COMMAND_TIMEOUT)")
    .option("--retries <n>", "retries after a failed or timed-out attempt (default MAX_RETRY_COUNT)")
    .option("--wait", "wait for the task and print its output; exit with its verdict")
    .option("--host <name>", "only a worker on this host (orch host list)")
    .option("--label <key=value>", "only a worker on a host with this label; repeatable")
    .action(async (text: unknown[], o: Opts) => {
      const words = joinText(text, o);
      if (!words) throw new CliError("submit needs TEXT: orch submit [options] -- TEXT", EXIT.usage);
      return submitCommand(makeContext(o), words, {
        ...(o.type !== undefined ? { type: str(o.type, "--type") } : {}),
        ...(o.project !== undefined ? { project: str(o.project, "--project") } : {}),
        ...(o.priority !== undefined ? { priority: str(o.priority, "--priority") } : {}),
        tag: flagList(o.tag),
        label: flagList(o.label),
        ...(o.host !== undefined ? { host: str(o.host, "--host") } : {}),
        ...(await timeoutRetriesFlags(o)),
        wait: Boolean(o.wait),
      });
    });
  cli
    .command("approve <worker>", "Approve the permission prompt a worker waits on")
    .action((w: string, o: Opts) => answerCommand(makeContext(o), String(w), "approve"));
  cli
    .command("deny <worker>", "Deny the permission prompt a worker waits on")
    .action((w: string, o: Opts) => answerCommand(makeContext(o), String(w), "deny"));
  cli
    .command(
      "plugin <action> [arg]",
      "Agent types: plugin add SRC | list | show NAME | remove NAME | test SRC",
    )
    .option("--script <file>", "plugin test: what the agent shows (JSON; default <SRC>.script.json)")
    .action((action: string, arg: string | undefined, o: Opts) => {
      const ctx = makeContext(o);
      const need = (what: string) => {
        if (!arg) throw new CliError(`plugin ${action} needs ${what}`, EXIT.usage);
        return String(arg);
      };
      if (o.script !== undefined && action !== "test")
        throw new CliError(`--script goes with plugin test, not plugin ${action}`, EXIT.usage);
      if (action === "add")
        return pluginAddCommand(ctx, need("SRC (a .ts/.js/.json/.toml file, a folder or an npm package)"));
      if (action === "list") return pluginListCommand(ctx);
      if (action === "show") return pluginShowCommand(ctx, need("NAME"));
      if (action === "remove") return pluginRemoveCommand(ctx, need("NAME"));
      if (action === "test") {
        const src = need("SRC (a .ts/.js/.json/.toml file or a folder)");
        return pluginTestCommand(ctx, src, o.script === undefined ? undefined : str(o.script, "--script"));
      }
      throw new CliError(
        `unknown plugin action "${action}": expected add, list, show, remove or test`,
        EXIT.usage,
      );
    });
  cli
    .command("hook <event> [payload]", "(for agents' hooks) tell the controller about an agent event")
    .option("--worker <name>", "the worker whose agent fired the hook")
    .action((event: string, payload: string | undefined, o: Opts) =>
      hookCommand(makeContext(o), str(o.worker, "--worker"), String(event), payload),
    );
  cli
    .command("task <id>", "Show one task (ID: an id or a unique prefix, as orch results shows it)")
    .option("--wait", "wait until it is finished")
    .option("--full", "print all of its output, also past maxOutputBytes (from its output file)")
    .action((id: string, o: Opts) => taskCommand(makeContext(o), String(id), o));
  addOwnFileCommands(cli);
  cli
    .command("results", "List tasks and their results")
    .option("--worker <name>", "only this worker's tasks")
    .option("--limit <n>", "at most N tasks (the newest)")
    .option("--run <id>", "only the tasks of this workflow run (an id, a unique prefix, or last)")
    .option("--status <s>", "only tasks in these statuses, e.g. failed,timed_out")
    .action(async (o: Opts) =>
      resultsCommand(makeContext(o), {
        ...(o.worker !== undefined ? { worker: String(o.worker) } : {}),
        ...(o.run !== undefined ? { run: str(o.run, "--run") } : {}),
        ...(o.status !== undefined ? { status: str(o.status, "--status") } : {}),
        ...(await limitFlag(o, MAX_LIST_LIMIT)),
      }),
    );
  cli
    .command("run [...args]", "Run a workflow file (or --projects DIR... -- COMMAND) and follow it")
    .option("--projects <dir>", "run COMMAND (after --) in each of these project folders")
    .option("--type <type>", "with --projects: the agent type (default: routes, then defaultAgent)")
    .option("--timeout <sec>", "with --projects: task timeout in seconds")
    .option("--retries <n>", "with --projects: retries after a failed attempt")
    .option("--detach", "print the run id and return; follow it with orch report RUN")
    .action(async (args: unknown[], o: Opts) => {
      const ctx = makeContext(o);
      const words = args.map(String);
      if (o.projects !== undefined) {
        const first = Array.isArray(o.projects) ? o.projects.map(String) : [str(o.projects, "--projects")];
        return runCommand(ctx, undefined, {
          projects: [...first, ...words],
          command: (o["--"] ?? []).join(" "),
          ...(o.type !== undefined ? { type: str(o.type, "--type") } : {}),
          ...(await timeoutRetriesFlags(o)),
          detach: Boolean(o.detach),
        });
      }
      if (words.length > 1)
        throw new CliError(`run takes one FILE, got ${words.length}: ${words.join(" ")}`, EXIT.usage);
      return runCommand(ctx, words[0], { detach: Boolean(o.detach) });
    });
  cli
    .command("runs", "List workflow runs, newest first")
    .option("--limit <n>", "at most N runs (default 50)")
    .action(async (o: Opts) => runsCommand(makeContext(o), await limitFlag(o, MAX_LIST_LIMIT)));
  cli
    .command("report <run>", "A run's report (RUN: an id, a unique prefix, or last)")
    .option("--format <f>", "md (default), json or html")
    .option("-o, --output <file>", "write it to FILE instead of stdout")
    .action((run: string, o: Opts) =>
      reportCommand(makeContext(o), String(run), {
        ...(o.format !== undefined ? { format: str(o.format, "--format") } : {}),
        ...(o.output !== undefined ? { output: str(o.output, "--output") } : {}),
      }),
    );
  cli
    .command(
      "cancel <id>",
      "Cancel a task (or with --run, what is left of a workflow run); ID: an id or a unique prefix",
    )
    .option("--run", "ID is a run")
    .action((id: string, o: Opts) => cancelCommand(makeContext(o), String(id), { run: Boolean(o.run) }));
  cli
    .command("backup <file>", "Write a consistent copy of the store to FILE while orch runs")
    .action((file: string, o: Opts) => backupCommand(makeContext(o), String(file)));
  cli
    .command("restore <file>", "Put a backup in place of the store (stop the controller first)")
    .action((file: string, o: Opts) => restoreCommand(makeContext(o), String(file)));
  cli
    .command("export-state [file]", "Workers, tasks and runs as one JSON document (stdout or FILE)")
    .action((file: string | undefined, o: Opts) => exportStateCommand(makeContext(o), file));
  cli
    .command("capture <worker>", "Print a worker's pane")
    .action((w: string, o: Opts) => captureCommand(makeContext(o), String(w)));
  cli
    .command("logs <worker>", "Print what a worker's pane wrote")
    .option("-f, --follow", "keep printing as it grows")
    .action((w: string, o: Opts) => logsCommand(makeContext(o), String(w), { follow: Boolean(o.follow) }));
  cli
    .command("attach [worker]", "Attach to orch's tmux session")
    .action((w: string | undefined, o: Opts) => attachCommand(makeContext(o), w));
  cli
    .command("kill-worker <worker>", "Kill a worker")
    .action((w: string, o: Opts) => killWorkerCommand(makeContext(o), String(w)));
  cli
    .command(
      "revive <worker>",
      "Restart a dead, stuck or given-up worker's agent (a healthy idle one is left)",
    )
    .option("--force", "restart it anyway, also under a running task (which then fails, or is retried)")
    .action((w: string, o: Opts) => reviveCommand(makeContext(o), String(w), { force: Boolean(o.force) }));
  cli
    .command(
      "health-check",
      "Check every worker now and revive the dead or stuck ones (exit 1 if any is left unhealthy)",
    )
    .action((o: Opts) => healthCheckCommand(makeContext(o)));
  cli
    .command("service <action>", "service install: a systemd unit for `orch daemon`")
    .option("--user", "a user unit (~/.config/systemd/user) instead of a system one")
    .option("--print", "print the unit instead of writing it")
    .option("--run-as <name>", "the user a system unit runs orch as (default: you, or who called sudo)")
    .option(
      "--path <dirs>",
      "the service's PATH (default: system folders, orch's and tmux's, the user's ~/.local/bin)",
    )
    .action((action: string, o: Opts) =>
      serviceCommand(makeContext(o), String(action), {
        user: Boolean(o.user),
        print: Boolean(o.print),
        ...(o.runAs !== undefined ? { runAs: str(o.runAs, "--run-as") } : {}),
        ...(o.path !== undefined ? { path: str(o.path, "--path") } : {}),
        homeGiven: Boolean(o.home || process.env.ORCH_HOME),
      }),
    );
  cli
    .command("events", "Show what happened to workers and tasks (dead, revived, gave up, failed, ...)")
    .option("-f, --follow", "keep printing new events as they happen")
    .option("--limit <n>", "how many of the newest events to show first (default 50)")
    .action(async (o: Opts) =>
      eventsCommand(makeContext(o), {
        follow: Boolean(o.follow),
        limit: (await limitFlag(o, 10_000)).limit ?? 50,
      }),
    );
  cli.help();
  cli.version(pkg.version);
  return cli;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const cli = build();
  try {
    const notUtf8 = ownArgvUtf8Error(argv);
    if (notUtf8) throw new CliError(notUtf8, EXIT.usage);
    const first = markLiteral(argv);
    cli.parse(["orch", "orch", ...first], { run: false });
    // once the command is known: a negative number after one of its flags that take a value is
    // that value (`--timeout -1`, refused by validation, not "Unknown option -1")
    const takesValue = valueFlags([...cli.globalCommand.options, ...(cli.matchedCommand?.options ?? [])]);
    const marked = markLiteral(argv, takesValue);
    if (marked.some((w, i) => w !== first[i])) cli.parse(["orch", "orch", ...marked], { run: false });
    // (runMatchedCommand reads these two back)
    cli.args = unmarkLiteral(cli.args);
    cli.options = unmarkLiteral(cli.options);
    if (cli.options.help || cli.options.version) return EXIT.ok;
    if (!cli.matchedCommand) {
      const name = cli.args[0];
      if (name === undefined) {
        cli.outputHelp();
        return EXIT.ok;
      }
      throw new CliError(`unknown command "${name}": see 'orch --help'`, EXIT.usage);
    }
    const code = await cli.runMatchedCommand();
    return typeof code === "number" ? code : EXIT.ok;
  } catch (e) {
    const { line, code } = failureLine(e);
    err.write(`${line}\n`);
    return code;
  }
}

if (import.meta.main) {
  await exitAfterOutput(await main(process.argv.slice(2)));
}
