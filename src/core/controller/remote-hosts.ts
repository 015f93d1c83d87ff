import type { Config } from "../domain/config.ts";
import { fail } from "../domain/result.ts";
import { cancelForward, forwardSocket } from "../hosts/hook-forward.ts";
import { HOOK_SOCKET_FILE } from "../hosts/hook-helper.ts";
import type { HostSsh } from "../hosts/host-desk.ts";
import type { HostChannel } from "../hosts/host-link.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import { controlPath } from "../hosts/ssh-command.ts";
import type { Store } from "../store/index.ts";
import type { TransportFactory } from "../tmux/transport.ts";
import { HookRelay, type HookRelayDeps } from "./hook-relay.ts";
import { type HostPlace, localPlace } from "./host-place.ts";
import type { Logger } from "./logger.ts";
import type { Masking } from "./masking.ts";
import type { OrchPaths } from "./paths.ts";
import { RemotePlace } from "./remote-place.ts";
import type { SchedulerHost } from "./scheduler.ts";
import { localServer, TmuxHost, type TmuxHostEvents } from "./tmux-host.ts";
import { TmuxHosts } from "./tmux-hosts.ts";

export interface RemoteHostDeps {
  paths: OrchPaths;
  config: Config;
  logger: Logger;
  masking: Masking;
  events: TmuxHostEvents;
  /** Where agents' hook events from a host go (the workers' desk). */
  hooks: HookRelayDeps;
}

/**
 * The tmux server on a host reached over ssh, and the channel its HostLink hands over: at
 * each connect orch's directory there is made ready (the mask filter and the hook helper
 * checked), the host's hook socket forwarded to this host's {@link HookRelay}, the server
 * gets orch's options and the panes found are adopted.
 */
export function remoteTmuxHost(
  name: string,
  ssh: HostSsh,
  d: RemoteHostDeps,
): { host: TmuxHost; channel: HostChannel } {
  const place = new RemotePlace(ssh, d.paths, () => d.masking.filterProgram());
  // next to the host's ControlMaster socket, and as short: its directory is at most 40
  // characters and a host name 63, and a Unix socket's path at most 107
  const relay = new HookRelay(name, `${controlPath(ssh.settings, ssh.target)}.h`, d.hooks);
  const host = hostOverSsh(name, place, d, () => relay.close());
  const channel: HostChannel = {
    handlers: host.handlers(),
    async ready(client) {
      const prepared = await place.prepare();
      if (!prepared.ok) throw new Error(prepared.error);
      relay.listen();
      // a master that outlived its channel keeps the forwarding of the socket just removed
      const remote = `${prepared.value}/${HOOK_SOCKET_FILE}`;
      await cancelForward(ssh.settings, ssh.target, remote, relay.socket);
      const forwarded = await forwardSocket(ssh.settings, ssh.target, remote, relay.socket);
      if (!forwarded.ok)
        d.logger.log("warn", "agents' hooks on this host cannot reach the controller", {
          host: name,
          error: forwarded.error,
        });
      await host.linked(client);
    },
    lost: () => host.unlinked(),
  };
  return { host, channel };
}

/** A host no longer known (removed while a worker still names it): never connected. */
export function unknownTmuxHost(name: string, d: RemoteHostDeps): TmuxHost {
  const nowhere = `host ${name} is not known (orch host list)`;
  const place: HostPlace = {
    dataDir: (w) => `?/${w}`,
    logFile: (w) => `?/${w}.log`,
    filter: () => null,
    checkDir: () => Promise.resolve(nowhere),
    writeFiles: () => Promise.resolve(fail("not_found", nowhere)),
    readFile: () => Promise.resolve(fail("not_found", nowhere)),
    agentHome: () => null,
    hookArgv: () => null,
    pullLog: () => Promise.resolve(),
    processes: () => Promise.reject(new Error(nowhere)),
    logSizes: async () => new Map(),
    rotateLog: () => Promise.resolve(fail("not_found", nowhere)),
  };
  return hostOverSsh(name, place, d);
}

/** A tmux server on another machine, whose channel is handed over (`TmuxHost.linked`). */
function hostOverSsh(name: string, place: HostPlace, d: RemoteHostDeps, onClose?: () => void): TmuxHost {
  return new TmuxHost({
    onClose,
    name,
    // its session, size and history; the socket and files named here are this machine's, unused
    server: localServer(d.paths, d.config, []),
    transport: null,
    place,
    logger: d.logger,
    events: d.events,
  });
}

/** The controller's tmux servers: this machine's (started with `transport`), and hosts' as they are added. */
export function tmuxHosts(
  d: RemoteHostDeps & { transport: TransportFactory; viewArgv: string[] },
): TmuxHosts {
  const local = new TmuxHost({
    name: LOCAL_HOST,
    server: localServer(d.paths, d.config, d.viewArgv),
    transport: d.transport,
    place: localPlace(d.paths),
    logger: d.logger,
    events: d.events,
  });
  return new TmuxHosts(local, {
    remote: (name, ssh) => remoteTmuxHost(name, ssh, d),
    unknown: (name) => unknownTmuxHost(name, d),
  });
}

/** The hosts as the scheduler weighs them: `local` first (no labels), then each stored host. */
export function schedulerHosts(store: Store, config: Config, hosts: TmuxHosts): SchedulerHost[] {
  return [
    { name: LOCAL_HOST, labels: {}, maxWorkers: config.maxWorkers, online: true },
    ...store.hosts.list().map((h) => ({
      name: h.name,
      labels: h.labels,
      maxWorkers: h.maxWorkers ?? config.maxWorkers,
      online: hosts.of(h.name).online,
    })),
  ];
}
