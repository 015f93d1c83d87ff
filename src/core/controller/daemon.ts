import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorMessage } from "../domain/result.ts";
import { HostDesk } from "../hosts/host-desk.ts";
import type { PluginFactory } from "../plugin/contract.ts";
import { PluginRegistry } from "../plugin/registry.ts";
import { inSandbox } from "../runtime/sandbox.ts";
import { openNotifySocket } from "../runtime/sd-notify.ts";
import type { Durability } from "../runtime/sqlite-connection.ts";
import { openStore, type Redactor, StoreOpenError } from "../store/index.ts";
import { localControlTransport } from "../tmux/local-transport.ts";
import { checkTmuxVersion } from "../tmux/server.ts";
import { serveApi } from "./api.ts";
import { Controller } from "./controller.ts";
import { guardProcess } from "./crash-guard.ts";
import { emptyStoreRefusal } from "./empty-store.ts";
import { startEventNotifier } from "./event-notifier.ts";
import type { ExtensionFactory } from "./extension.ts";
import { loadConfig } from "./load-config.ts";
import { createLogger } from "./logger.ts";
import { createMasking } from "./masking.ts";
import { NOTIFY_VARIABLES, notifySettings } from "./notify-settings.ts";
import type { OrphanChoice, OrphanSettings } from "./orphans.ts";
import { orchPaths } from "./paths.ts";
import { currentUid, startRefusal } from "./preflight.ts";
import { loadUserPlugins } from "./user-plugins.ts";
import { apiProbe, type ServiceWatchdog, startServiceWatchdog } from "./watchdog.ts";

export interface DaemonOptions {
  home: string;
  version: string;
  plugins: Record<string, PluginFactory>;
  logStdout: boolean;
  logJson: boolean;
  /** argv that runs this orch (agents' hooks call `orch hook` through it). */
  orchArgv: string[];
  /** Use cases that live in the daemon (workflow runs, reports); the core never imports them. */
  extensions?: ExtensionFactory[];
  /** What start-up does with panes no stored worker owns (`--orphans`; default adopt). */
  orphans?: OrphanChoice;
}

/** Why the daemon could not run; the CLI prints it and exits with `exitCode`. */
export class DaemonError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "DaemonError";
  }
}

/** Opens the store; a file that cannot be used is a one-line DaemonError naming it and the restore. */
function openStoreOrExplain(file: string, durability: Durability, redact: Redactor) {
  try {
    return openStore(file, { durability, redact });
  } catch (e) {
    if (e instanceof StoreOpenError) throw new DaemonError(e.message, 3);
    throw e;
  }
}

/** Runs the controller in the foreground until SIGTERM/SIGINT or `orch stop`. */
export async function runDaemon(o: DaemonOptions): Promise<number> {
  // everything orch creates, and what the tmux server and its pipes create, is the user's alone
  process.umask(0o077);
  // systemd's notify variables are for this process alone (sd_notify's unset_environment):
  // the tmux server, the agents and their hooks must not see them
  const notify = notifySettings(process.env, process.pid);
  for (const name of NOTIFY_VARIABLES) delete process.env[name];
  const paths = orchPaths(o.home);
  const cfg = loadConfig(paths.config, process.env);
  if (!cfg.ok) throw new DaemonError(cfg.error, 2);
  const config = cfg.value;
  // before anything under ORCH_HOME is created or opened
  const sandbox = inSandbox(process.env);
  const refused = startRefusal(paths, config, currentUid(), sandbox);
  if (refused) throw new DaemonError(refused, 3);
  const emptied = emptyStoreRefusal(paths);
  if (emptied) throw new DaemonError(emptied, 3);
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.runDir, { recursive: true, mode: 0o700 });
  const tmux = await checkTmuxVersion();
  if (!tmux.ok) throw new DaemonError(tmux.error, 3);
  if (existsSync(paths.apiSocket)) {
    const alive = await fetch("http://orch/v1/status", { unix: paths.apiSocket }).then(
      () => true,
      () => false,
    );
    if (alive) throw new DaemonError(`a controller already answers on ${paths.apiSocket}`, 2);
    rmSync(paths.apiSocket, { force: true });
  }
  const masked = createMasking(config, process.env, join(paths.runDir, "mask-filter.pl"));
  if (!masked.ok) throw new DaemonError(masked.error, 3);
  const masking = masked.value;
  const logger = createLogger(paths.controllerLog, {
    stdout: o.logStdout,
    json: o.logJson,
    mask: (line) => masking.text(null, line),
  });
  const guard = guardProcess(logger);
  const store = openStoreOrExplain(paths.db, config.durability, masking);
  if (currentUid() === 0 && !config.allowRoot) {
    logger.log("warn", "running as root, allowed because this is a container (IS_SANDBOX=0 refuses it)");
  }
  // before the controller starts, so the events of adopting and reviving workers go out too
  const notifier = config.eventCommand
    ? startEventNotifier({
        events: store.events,
        command: config.eventCommand,
        kinds: config.eventKinds,
        logger,
      })
    : null;
  const registry = new PluginRegistry();
  for (const [name, factory] of Object.entries(o.plugins)) {
    const r = registry.register(factory, `built-in ${name}`);
    if (!r.ok) logger.log("error", r.error);
  }
  const builtins = new Set(registry.names());
  // user plugins: loaded now, and again on POST /v1/plugins/reload (after plugin add/remove)
  let userPlugins = new Set<string>();
  const reloadPlugins = async () => {
    const r = await loadUserPlugins(paths.home, registry, builtins, logger);
    for (const gone of userPlugins) if (!r.loaded.includes(gone)) registry.remove(gone);
    userPlugins = new Set(r.loaded);
    return r;
  };
  await reloadPlugins();
  const orphans: OrphanSettings = { choice: o.orphans ?? "adopt", outcomes: null };
  const controller = new Controller({
    paths,
    config,
    store,
    plugins: registry,
    logger,
    version: o.version,
    transport: () => localControlTransport(paths.tmuxSocket, config.sessionName),
    viewArgv: ["tail", "-n", "200", "-F", paths.controllerLog],
    orchArgv: o.orchArgv,
    masking,
    orphans,
  });
  // a store fault a timer's single write met stalls the controller, as a failed commit does
  guard.explainWith((e) => controller.stall.explain(e));
  await controller.start();
  const hosts = new HostDesk({
    store,
    config,
    home: paths.home,
    log: (level, msg, fields) => logger.log(level, msg, fields),
    workersOn: (host) =>
      controller.workers().filter((w) => w.worker.host === host && w.worker.state !== "dead").length,
    session: config.sessionName,
    channel: (name, ssh) => controller.hosts.channel(name, ssh),
    forget: (name) => controller.hosts.delete(name),
    async killWorkersOn(host) {
      const names = controller
        .workers()
        .filter((w) => w.worker.host === host)
        .map((w) => w.worker.name);
      for (const name of names) await controller.killWorker(name);
      return names;
    },
  });
  hosts.start();
  const extensions = (o.extensions ?? []).map((make) => make({ controller, store, config, logger, paths }));
  for (const ext of extensions) await ext.start?.();
  const watchdog: ServiceWatchdog | null = notify
    ? startServiceWatchdog({
        settings: notify,
        open: openNotifySocket,
        probe: apiProbe(paths.apiSocket),
        logger,
      })
    : null;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((r) => {
    resolveDone = r;
  });
  let stopping = false;
  const stop = async (killWorkers: boolean, why: string) => {
    if (stopping) return;
    stopping = true;
    watchdog?.stopping(why);
    logger.log("info", "controller stopping", { why, killWorkers });
    server.stop();
    for (const ext of extensions) ext.stop?.();
    // a store that cannot be written (disk full) must not keep the daemon from exiting
    await controller
      .shutdown(killWorkers)
      .catch((e) => logger.log("error", "stopping could not record everything", { error: errorMessage(e) }));
    // hosts' channels last: --kill-workers closes the windows of their workers through them
    await hosts.stop();
    controller.hosts.closeRemotes();
    notifier?.stop();
    store.close();
    rmSync(paths.apiSocket, { force: true });
    rmSync(paths.pidFile, { force: true });
    resolveDone(0);
  };
  const server = serveApi(
    controller,
    {
      pid: process.pid,
      version: o.version,
      startedAt: controller.startedAt,
      socket: paths.apiSocket,
      orphans: orphans.outcomes ?? [],
      hosts,
    },
    (kill) => void stop(kill, "orch stop"),
    reloadPlugins,
    extensions,
  );
  writeFileSync(paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  process.on("SIGTERM", () => void stop(false, "SIGTERM"));
  process.on("SIGINT", () => void stop(false, "SIGINT"));
  process.on("SIGHUP", () => undefined);
  logger.log("info", "controller started", {
    pid: process.pid,
    version: o.version,
    tmux: tmux.value,
    home: paths.home,
  });
  // Type=notify: READY=1 once the API answers, then WATCHDOG=1 while it keeps answering
  void watchdog?.ready();
  return done;
}
