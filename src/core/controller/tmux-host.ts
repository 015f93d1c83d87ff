import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../domain/config.ts";
import { describeExit } from "../domain/exit-status.ts";
import { errorMessage } from "../domain/result.ts";
import { ensurePrivateFile } from "../store/private-files.ts";
import { ControlClient, type ControlClientHandlers } from "../tmux/control-client.ts";
import type { TmuxNotification } from "../tmux/control-parser.ts";
import { offlinePaneOps } from "../tmux/offline-ops.ts";
import { type PaneInfo, TmuxOps } from "../tmux/operations.ts";
import {
  PANE_DEAD_FORMAT,
  type PaneExit,
  parsePaneDeadValue,
  parsePaneDiedLine,
} from "../tmux/pane-death.ts";
import type { PaneOps } from "../tmux/pane-ops.ts";
import { ensureServer, killServer, type ServerSpec, serverOptions } from "../tmux/server.ts";
import type { TransportFactory } from "../tmux/transport.ts";
import { followLines, type LineFollower } from "./follow-file.ts";
import type { HostPlace } from "./host-place.ts";
import type { Logger } from "./logger.ts";
import { PaneRegistry } from "./pane-registry.ts";
import type { OrchPaths } from "./paths.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/** The spec of orch's tmux server on this machine: its private socket and files under ORCH_HOME. */
export function localServer(paths: OrchPaths, config: Config, viewArgv: string[]): ServerSpec {
  return {
    socket: paths.tmuxSocket,
    session: config.sessionName,
    configFile: paths.tmuxConfig,
    eventsFile: paths.tmuxEvents,
    historyLimit: config.historyLimit,
    width: config.paneWidth,
    height: config.paneHeight,
    controllerCwd: paths.home,
    controllerArgv: viewArgv,
  };
}

/** When to look again for the exit status of a pane reported dead without one (ms after each try). */
const STATUS_RETRIES_MS = [30, 100, 300, 600, 1000, 2000];

/**
 * How far (s) this client may fall behind on a pane before tmux pauses that pane's output to
 * it (whole seconds; the least that is not "at once"). The skipped part is read from the log.
 */
const PAUSE_AFTER_S = 1;

/** The name of orch's control-mode subscription to every pane's `pane_dead`. */
const DEAD_SUBSCRIPTION = "orch-dead";

/** What a {@link TmuxHost} tells the controller: it never decides what a pane's output means. */
export interface TmuxHostEvents {
  /** Bytes a worker's pane wrote, in order. */
  output(rt: WorkerRuntime, data: Uint8Array): void;
  /**
   * tmux paused the pane's output to the controller (it fell behind on it) and dropped what
   * it held: what the pane wrote meanwhile is in its log; {@link TmuxHost.continuePane} resumes.
   */
  paused(rt: WorkerRuntime): void;
  /** A worker's agent ended: `why` names its exit status or the signal that killed it. */
  paneDied(rt: WorkerRuntime, why: string): void;
  /** A worker's tmux window was closed. */
  windowClosed(rt: WorkerRuntime): void;
  /** The link is up (first time, or again after a loss): the panes it finds are to be adopted. */
  connected(host: TmuxHost): Promise<void>;
  /** Wraps the handling of everything one read from tmux brought (one store commit). */
  around(handle: () => void): void;
}

export interface TmuxHostOptions {
  /** The host's name in logs ("local" for this machine). */
  name: string;
  /**
   * The server orch runs there: its session, size and history (and locally its socket, config
   * and the pane-died hook's file).
   */
  server: ServerSpec;
  /**
   * Makes the control-mode transport (a spawned `tmux -C`) of this machine's server; null for a
   * host reached over ssh, whose channel its HostLink keeps up and hands over ({@link linked}).
   */
  transport: TransportFactory | null;
  /** Where the host keeps workers' files and pane logs. */
  place: HostPlace;
  logger: Logger;
  events: TmuxHostEvents;
  /** What else goes when the host is closed (a host's hook relay). */
  onClose?: () => void;
}

/**
 * Everything that belongs to one tmux server: its control-mode link and the reconnects, the
 * registry of which pane is which worker's (with output and deaths of panes not known yet
 * held for them), the two sources of pane deaths (the pane-died hook's file and the
 * `pane_dead` subscription), captures and the pane logs. The controller holds one for this
 * machine; one per machine reached over SSH later.
 *
 * @example
 * const host = new TmuxHost({ name: "local", server, transport, logger, events });
 * await host.start();
 * const { paneId } = await host.ops.newWindow({ name: "shell-w1", cwd: "/srv/app", argv: ["bash"] });
 */
export class TmuxHost {
  private readonly panes = new PaneRegistry();
  /** Panes whose death was reported before the pane was bound to a worker: id -> why. */
  private readonly diedEarly = new Map<string, string>();
  private client: ControlClient | null = null;
  private tmuxOps: TmuxOps | null = null;
  private deaths: LineFollower | null = null;
  private reconnecting: Promise<void> | null = null;
  private closed = false;
  /** Whether the last connect had to start the tmux server (it had gone away, or never ran). */
  serverStarted = false;

  constructor(private readonly o: TmuxHostOptions) {}

  get name(): string {
    return this.o.name;
  }

  /** Where the host keeps workers' files and pane logs. */
  get place(): HostPlace {
    return this.o.place;
  }

  /** Whether the host is reached over ssh (not this machine). */
  get remote(): boolean {
    return this.o.transport === null;
  }

  /** Whether its link is up now. */
  get online(): boolean {
    return this.tmuxOps !== null;
  }

  /**
   * The pane operations of the current link (a new object after each reconnect); while the
   * link is down, operations that fail with TmuxUnavailableError.
   */
  get ops(): PaneOps {
    return this.tmuxOps ?? this.offline;
  }

  private readonly offline = offlinePaneOps(() => `host ${this.o.name} is not connected`);

  /** True while the link is lost and being restored. */
  get reconnectingNow(): boolean {
    return this.reconnecting !== null;
  }

  /** Brings up the server, follows its pane deaths and connects; resolves once the panes are adopted. */
  async start(): Promise<void> {
    if (this.remote) return;
    const file = this.o.server.eventsFile;
    if (!existsSync(file)) writeFileSync(file, "", { mode: 0o600 });
    this.deaths = followLines(file, (line) => {
      const died = parsePaneDiedLine(line);
      if (died) this.onPaneDied(died.paneId, died);
    });
    await this.connect();
  }

  /** What a control-mode client of this host's server must do with what it reads. */
  handlers(): Omit<ControlClientHandlers, "onClose"> {
    return {
      onOutput: (pane, data) => this.onOutput(pane, data),
      onNotification: (n) => this.onNotification(n),
      around: (handle) => this.o.events.around(handle),
      onHandlerError: (e) =>
        this.o.logger.log("error", "internal error while handling tmux output", {
          host: this.o.name,
          error: e.stack ?? e.message,
        }),
    };
  }

  private async connect(): Promise<void> {
    const { server, transport } = this.o;
    if (!transport) return;
    this.serverStarted = (await ensureServer(server)).created;
    const client = new ControlClient(transport, {
      ...this.handlers(),
      onClose: (reason) => this.onDisconnect(reason),
    });
    this.client = client;
    await client.connect();
    await this.ready(client);
  }

  /**
   * A host's channel (kept up by its HostLink, made with {@link handlers}) is connected: the
   * server gets orch's options and the panes found there are adopted.
   */
  async linked(client: ControlClient): Promise<void> {
    this.client = client;
    await client.runList(serverOptions(this.o.server));
    await this.ready(client);
  }

  /** A host's channel was lost: its operations fail until it is linked again. */
  unlinked(): void {
    this.client = null;
    this.tmuxOps = null;
  }

  private async ready(client: ControlClient): Promise<void> {
    const { server } = this.o;
    const ops = new TmuxOps(client, server.session);
    await ops.setClientSize(server.width, server.height);
    // over ssh no pause: the channel's own pace holds tmux back, and the log is on the host
    if (!this.remote) await ops.setPauseAfter(PAUSE_AFTER_S);
    // a second source of deaths: tmux 3.3a sometimes runs no pane-died hook for a pane
    // (tmux compares values about once a second; the pid makes a death after a quick revive new)
    // and on a host over ssh the only one
    await ops.subscribePanes(DEAD_SUBSCRIPTION, PANE_DEAD_FORMAT);
    this.tmuxOps = ops;
    this.panes.clear();
    await this.o.events.connected(this);
  }

  private onDisconnect(reason: string): void {
    if (this.closed) return;
    this.o.logger.log("warn", "tmux connection lost", { host: this.o.name, reason });
    if (this.reconnecting) return;
    this.reconnecting = (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          await this.connect();
          this.o.logger.log("info", "tmux connection restored", { host: this.o.name, attempt });
          break;
        } catch (e) {
          this.o.logger.log("warn", "tmux reconnect failed", {
            host: this.o.name,
            attempt,
            error: errorMessage(e),
          });
          await sleep(Math.min(5000, 100 * 2 ** attempt));
        }
      }
      this.reconnecting = null;
    })();
  }

  private onOutput(paneId: string, data: Uint8Array): void {
    const rt = this.panes.get(paneId);
    if (rt) this.o.events.output(rt, data);
    else this.panes.hold(paneId, data);
  }

  /**
   * A pane's process ended. tmux may tell it before it has reaped the process (the
   * subscription sees the pane's terminal close first): such a report, with neither an exit
   * status nor a signal, is completed from tmux's record of the dead pane a moment later (the
   * pane-died hook's line, which carries both, usually comes meanwhile), so the reason says
   * how the agent ended. A report whose pane has a new agent by then (a revive respawned it)
   * is dropped: it must not kill the new agent.
   */
  private onPaneDied(paneId: string, exit: PaneExit, retry = 0, rt = this.panes.get(paneId)): void {
    if (exit.status !== null || exit.signal !== null || retry === STATUS_RETRIES_MS.length) {
      this.paneEnded(paneId, describeExit(exit.status, exit.signal));
      return;
    }
    // the pane's agent has been told dead meanwhile, or the pane has a new one (respawned); a
    // pane no worker had yet keeps its report (for the start that is about to bind it)
    const settled = () => rt !== undefined && (this.panes.get(paneId) !== rt || rt.phase === "dead");
    setTimeout(async () => {
      if (settled()) return;
      const p = await this.pane(paneId);
      if (settled()) return;
      this.onPaneDied(
        paneId,
        { status: p?.deadStatus ?? null, signal: p?.deadSignal ?? null },
        retry + 1,
        rt,
      );
    }, STATUS_RETRIES_MS[retry]);
  }

  private paneEnded(paneId: string, why: string): void {
    const rt = this.panes.get(paneId);
    if (rt) {
      this.o.events.paneDied(rt, why);
      return;
    }
    if (this.diedEarly.size > 1000) this.diedEarly.clear();
    this.diedEarly.set(paneId, why);
  }

  private onNotification(n: TmuxNotification): void {
    if (n.type === "pause") {
      const rt = this.panes.get(n.paneId);
      if (rt) this.o.events.paused(rt);
      else this.continuePane(n.paneId); // nobody's pane (window 0): nothing to catch up on
      return;
    }
    if (n.type === "subscription-changed") {
      const d = n.name === DEAD_SUBSCRIPTION ? parsePaneDeadValue(n.value) : null;
      if (d?.dead && n.paneId) this.onPaneDied(n.paneId, d);
      return;
    }
    if (n.type !== "window-close" && n.type !== "unlinked-window-close") return;
    for (const rt of this.panes.all()) if (rt.windowId === n.windowId) this.o.events.windowClosed(rt);
  }

  /**
   * Binds a pane to a worker: what the pane wrote before is replayed to it, and a death
   * reported before (an agent that exited at once) is reported now.
   */
  attach(rt: WorkerRuntime, paneId: string, windowId: string): void {
    for (const chunk of this.panes.attach(rt, paneId, windowId)) this.o.events.output(rt, chunk);
    const why = this.diedEarly.get(paneId);
    if (why !== undefined) {
      this.diedEarly.delete(paneId);
      this.o.events.paneDied(rt, why);
    }
  }

  /** Drops a death reported for a pane no worker has now: it was its old agent's (the pane is respawned). */
  dropEarlyDeath(paneId: string): void {
    this.diedEarly.delete(paneId);
  }

  /** Unbinds a pane (its worker was killed or got a new pane). */
  forget(paneId: string): void {
    this.panes.forget(paneId);
  }

  /** Resumes a paused pane's output to this client (a lost link or a gone pane is let be). */
  continuePane(paneId: string): void {
    this.tmuxOps?.continuePane(paneId).catch(() => undefined);
  }

  /** The pane as tmux lists it now; undefined when it is gone or tmux does not answer. */
  async pane(paneId: string): Promise<PaneInfo | undefined> {
    return (await this.ops.listPanes().catch(() => [] as PaneInfo[])).find((p) => p.paneId === paneId);
  }

  /**
   * The pane as {@link pane} gives it, but a dead one whose exit tmux has not recorded yet (no
   * status, no signal: it reports the death before reaping) is looked at again, up to 4 s.
   */
  async settledPane(paneId: string): Promise<PaneInfo | undefined> {
    let p = await this.pane(paneId);
    for (const ms of STATUS_RETRIES_MS) {
      if (!p?.dead || p.deadStatus !== null || p.deadSignal !== null) return p;
      await sleep(ms);
      p = await this.pane(paneId);
    }
    return p;
  }

  /**
   * Opens the worker's pane log (a private file, on the host) and pipes what the pane writes
   * into it, through the masking filter `filter` names (given as it runs locally); `replace`
   * closes the pipe open before in the same command (a rotation).
   */
  async pipeLog(paneId: string, worker: string, filter: string[] | null, replace = false): Promise<void> {
    const file = this.o.place.logFile(worker);
    if (!this.remote) ensurePrivateFile(file);
    await this.ops.pipeToFile(paneId, file, this.o.place.filter(filter), replace);
  }

  /** Stops following and disconnects; the server and its agents keep running. */
  close(): void {
    this.closed = true;
    this.deaths?.close();
    this.o.onClose?.();
    if (!this.remote) this.client?.close();
  }

  /** Closes the link and kills the whole server, every agent with it (this machine's only). */
  async kill(): Promise<void> {
    this.close();
    if (!this.remote) await killServer(this.o.server.socket);
  }
}
