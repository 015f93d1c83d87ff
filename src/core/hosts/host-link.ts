import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage } from "../domain/result.ts";
import { spawnPipe } from "../runtime/spawn-pipe.ts";
import { ControlClient, type ControlClientHandlers } from "../tmux/control-client.ts";
import { REMOTE_ENV } from "./host-probe.ts";
import { controlPath, type SshSettings, type SshTarget, sshArgv } from "./ssh-command.ts";
import { askMaster } from "./ssh-run.ts";

/**
 * How a host's link is: `online` (its control channel answers), `degraded` (it answers slowly,
 * or missed one ping), `offline` (lost; orch reconnects with backoff), `connecting` (the first
 * connect is under way).
 */
export type HostState = "online" | "degraded" | "offline" | "connecting";

/** A host's link as status shows it. */
export interface HostLinkView {
  state: HostState;
  /** The last ping's round trip through the control channel (ms), or null before the first. */
  rttMs: number | null;
  /** When the host last answered (ms since the epoch), or null if it never did. */
  lastSeenAt: number | null;
  /** Why it is offline or degraded, when it is. */
  error: string | null;
}

/**
 * What the channel is for beyond being up: the tmux server on the host that the controller
 * drives through it (its pane output and notifications, and what to do once it is up or lost).
 */
export interface HostChannel {
  handlers: Omit<ControlClientHandlers, "onClose">;
  /** The channel is up: resolves once the host is ready for work; a rejection fails the connect. */
  ready(client: ControlClient): Promise<void>;
  /** The channel was lost (or closed). */
  lost(): void;
}

export interface HostLinkOptions {
  name: string;
  target: SshTarget;
  settings: SshSettings;
  /** The remote tmux server's name (`tmux -L`): one per controller and host. */
  socketName: string;
  session: string;
  log: (level: "info" | "warn", msg: string, fields: Record<string, unknown>) => void;
  /** Ping period and deadline (ms). */
  pingEveryMs?: number;
  pingTimeoutMs?: number;
  /** The longest wait between reconnects (ms). */
  maxBackoffMs?: number;
  /** The tmux server this channel carries, when the controller drives one there. */
  channel?: HostChannel;
}

/** An answer slower than this marks the host degraded (ms). */
const SLOW_MS = 1000;
/** The deadline of one connect (ssh, then tmux's attach and first answer), ms. */
const CONNECT_TIMEOUT_MS = 10_000;
/** The ping's pace: every 1.5 s, and every 2.5 s once 10 pings in a row came back in time. */
const PING_MS = 1500;
const CALM_PING_MS = 2500;
const CALM_AFTER = 10;

/**
 * One host's persistent control-mode channel: `ssh DEST tmux -L NAME -C new-session -A`
 * through the ControlMaster, pinged every 1.5 s (2.5 s while calm) with a 2 s deadline; two pings missed in a row (or
 * the channel closing) mark it offline within 10 s, and it reconnects with backoff. A wedged
 * ControlMaster (frozen: new clients hang) is told to exit after a failed connect.
 *
 * @example
 * ```ts
 * const link = new HostLink({ name: "build-1", target, settings, socketName: "orch-ab12", session: "orch", log });
 * link.start();
 * link.view(); // { state: "online", rttMs: 3, ... }
 * ```
 */
export class HostLink {
  private client: ControlClient | null = null;
  private stopped = false;
  private missed = 0;
  /** Pings answered in time in a row (a calm link is pinged less often). */
  private good = 0;
  private current: HostLinkView = { state: "connecting", rttMs: null, lastSeenAt: null, error: null };
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** The ControlMaster's pid as it last said (to kill it when it hangs). */
  private masterPid: number | null = null;
  private settle: () => void = () => undefined;
  /** Settles when the first connect has an outcome (online, or offline with a reason). */
  readonly settled = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly o: HostLinkOptions) {}

  view(): HostLinkView {
    return { ...this.current };
  }

  /** Starts connecting, and keeps the link up until stop(). */
  start(): void {
    this.loop ??= this.keepUp();
  }

  /** Closes the channel (the remote tmux and what runs in it keep running). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.settle();
    this.client?.close();
    this.wake?.();
    await this.loop;
  }

  private set(state: HostState, error: string | null): void {
    const before = this.current.state;
    this.current = { ...this.current, state, error };
    if (state !== "connecting") this.settle();
    if (state !== before && state !== "connecting")
      this.o.log(state === "online" ? "info" : "warn", `host ${state}`, {
        host: this.o.name,
        ...(error ? { error } : {}),
      });
  }

  private async keepUp(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const connected = await this.connect();
      if (connected) {
        attempt = 0;
        await this.pingUntilLost();
      } else {
        await this.unwedgeMaster();
      }
      if (this.stopped) break;
      await this.pause(Math.min(this.o.maxBackoffMs ?? 10_000, 500 * 2 ** attempt));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async connect(): Promise<boolean> {
    const { target, settings, socketName, session } = this.o;
    const script = `${REMOTE_ENV} exec tmux -u -L ${socketName} -C new-session -A -s ${session}`;
    const argv = sshArgv(settings, target, ["sh", "-c", script]);
    const client = new ControlClient(() => spawnPipe(argv), {
      ...this.o.channel?.handlers,
      onClose: (reason) => {
        if (this.client !== client) return;
        this.o.channel?.lost();
        if (!this.stopped) this.lost(`the control channel closed: ${reason}`);
      },
    });
    this.client = client;
    try {
      await client.connect(CONNECT_TIMEOUT_MS);
      await this.o.channel?.ready(client);
      const master = await this.masterState();
      if (typeof master === "number") this.masterPid = master;
      this.missed = 0;
      this.good = 0;
      this.current.lastSeenAt = Date.now();
      this.set("online", null);
      return true;
    } catch (e) {
      client.close();
      this.set("offline", `cannot connect: ${errorMessage(e)}`);
      return false;
    }
  }

  private lost(why: string): void {
    this.set("offline", why);
    this.client?.close();
  }

  /** Pings until the channel is lost; returns then. */
  private async pingUntilLost(): Promise<void> {
    const deadline = this.o.pingTimeoutMs ?? 2000;
    while (!this.stopped && this.client?.connected) {
      // every 1.5 s; once 10 in a row came back in time, every 2.5 s (a link that then drops is
      // offline after about 6.5 s: the first miss brings the pace back to 1.5 s)
      const every = this.o.pingEveryMs ?? (this.good >= CALM_AFTER ? CALM_PING_MS : PING_MS);
      const t0 = performance.now();
      try {
        await this.client.run("display-message -p ok", deadline);
        const rtt = performance.now() - t0;
        this.missed = 0;
        this.good = rtt > SLOW_MS ? 0 : this.good + 1;
        this.current.rttMs = Math.round(rtt * 10) / 10;
        this.current.lastSeenAt = Date.now();
        if (rtt > SLOW_MS) this.set("degraded", `slow: answered in ${Math.round(rtt)} ms`);
        else this.set("online", null);
      } catch (e) {
        if (!this.client?.connected) break;
        this.missed++;
        this.good = 0;
        if (this.missed >= 2) {
          this.lost(`no answer to ${this.missed} pings in a row (${errorMessage(e)})`);
          break;
        }
        this.set("degraded", `missed a ping: ${errorMessage(e)}`);
      }
      await sleep(Math.max(0, every - (performance.now() - t0)));
    }
  }

  /** Whether the ControlMaster is alive (3 s at most): its pid, "none", or "hung". */
  private async masterState(): Promise<number | "none" | "hung"> {
    const r = await askMaster(this.o.settings, this.o.target, "check");
    if (r.timedOut) return "hung";
    const pid = /pid=(\d+)/.exec(r.stderr)?.[1];
    return pid ? Number(pid) : "none";
  }

  /**
   * After a failed connect: a ControlMaster that does not answer (frozen: every new client
   * hangs on it) is told to exit, and when that hangs too, killed by the pid it gave when it
   * last answered and its socket removed, so that the next connect makes a new one.
   */
  private async unwedgeMaster(): Promise<void> {
    const { settings, target } = this.o;
    if ((await this.masterState()) !== "hung") return;
    this.o.log("warn", "ssh master does not answer; closing it", { host: this.o.name });
    if (!(await askMaster(settings, target, "exit")).timedOut) return;
    if (this.masterPid !== null) {
      try {
        process.kill(this.masterPid, "SIGKILL");
      } catch {}
      this.masterPid = null;
    }
    if (target.name) rmSync(controlPath(settings, target), { force: true });
  }

  /** Runs one tmux command on the host through the channel (with its deadline). */
  run(command: string, timeoutMs = 5000): Promise<string[]> {
    if (!this.client?.connected) return Promise.reject(new Error(`host ${this.o.name} is offline`));
    return this.client.run(command, timeoutMs);
  }
}
