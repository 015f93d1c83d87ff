import type { HostSsh } from "../hosts/host-desk.ts";
import type { HostChannel } from "../hosts/host-link.ts";
import type { PaneInfo } from "../tmux/operations.ts";
import type { TmuxHost } from "./tmux-host.ts";

/** How the registry makes the server of a host over ssh, and of one it does not know. */
export interface TmuxHostMakers {
  remote(name: string, ssh: HostSsh): { host: TmuxHost; channel: HostChannel };
  unknown(name: string): TmuxHost;
}

/**
 * The tmux servers the controller drives, by host name: this machine's (`local`) and one per
 * host reached over ssh. A worker's pane is on the host its record names; a host that is not
 * known (removed while a dead worker still names it) is one that is never connected.
 *
 * @example
 * ```ts
 * const hosts = new TmuxHosts(localHost, { remote, unknown });
 * await hosts.of(rt).ops.capture(rt.paneId!);
 * ```
 */
export class TmuxHosts {
  private readonly byName = new Map<string, TmuxHost>();

  constructor(
    readonly local: TmuxHost,
    private readonly make: TmuxHostMakers,
  ) {
    this.byName.set(local.name, local);
  }

  /** The host a worker (or a host name) is on. */
  of(w: { host: string } | string): TmuxHost {
    const name = typeof w === "string" ? w : w.host;
    let h = this.byName.get(name);
    if (!h) {
      h = this.make.unknown(name);
      this.byName.set(name, h);
    }
    return h;
  }

  /**
   * The tmux server a host's channel carries (HostDesk asks once per host): made and kept here,
   * the channel's handlers and readiness handed back.
   */
  channel(name: string, ssh: HostSsh): HostChannel {
    const { host, channel } = this.make.remote(name, ssh);
    this.byName.set(name, host);
    return channel;
  }

  /** A host was removed: its server is closed and forgotten (a worker naming it is never connected). */
  delete(name: string): void {
    if (name === this.local.name) return;
    this.byName.get(name)?.close();
    this.byName.delete(name);
  }

  /** Closes every host's server but this machine's (the controller stops). */
  closeRemotes(): void {
    for (const h of this.byName.values()) if (h !== this.local) h.close();
  }

  all(): TmuxHost[] {
    return [...this.byName.values()];
  }

  /** The panes on a host now, and whether it is another machine; null when it cannot be reached. */
  async panesOn(name: string): Promise<{ panes: PaneInfo[]; remote: boolean } | null> {
    const h = this.of(name);
    return h.online ? { panes: await h.ops.listPanes(), remote: h.remote } : null;
  }
}
