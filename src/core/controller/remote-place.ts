import { renameSync, statSync } from "node:fs";
import { fail, type Result } from "../domain/result.ts";
import { remoteHookArgv } from "../hosts/hook-helper.ts";
import type { HostSsh } from "../hosts/host-desk.ts";
import {
  prepareHost,
  pullRemoteTail,
  readRemoteFile,
  readRemoteProcStats,
  remoteDirCheck,
  remoteDirName,
  remoteLogSizes,
  remoteRename,
  writeRemoteFiles,
} from "../hosts/remote-files.ts";
import { type ProcInfo, snapshotFromStats } from "../runtime/proc-tree.ts";
import type { HostPlace } from "./host-place.ts";
import { type OrchPaths, workerLogPath } from "./paths.ts";

/**
 * A host reached over ssh keeps orch's files under `~/.orch-host/SOCKET/` (made private, with
 * the mask filter checksum-verified, each time its channel comes up); a worker's pane log is
 * written there and copied here (workerLogPath) by offset when a recovery or `orch logs`
 * needs it.
 */
export class RemotePlace implements HostPlace {
  private dir: string | null = null;
  /** One pull per worker at a time; a pull asked for meanwhile runs once after it. */
  private readonly pulls = new Map<string, { running: Promise<void>; again: boolean }>();

  constructor(
    private readonly ssh: HostSsh,
    private readonly paths: OrchPaths,
    private readonly maskFilter: () => string | null,
  ) {}

  /** Makes the host's directory and puts the mask filter there (at every connect). */
  async prepare(): Promise<Result<string>> {
    const r = await prepareHost(this.ssh.settings, this.ssh.target, this.ssh.socketName, this.maskFilter());
    if (r.ok) this.dir = r.value;
    return r;
  }

  /** The directory on the host (`~/...` until the first connect has told where the home is). */
  private get base(): string {
    return this.dir ?? `~/${remoteDirName(this.ssh.socketName)}`;
  }

  dataDir(worker: string): string {
    return `${this.base}/workers/${worker}`;
  }

  logFile(worker: string): string {
    return `${this.base}/logs/${worker}.log`;
  }

  filter(local: string[] | null): string[] | null {
    return local === null ? null : ["perl", `${this.base}/mask-filter.pl`];
  }

  readFile(path: string): Promise<Result<string | null>> {
    if (this.dir === null)
      return Promise.resolve(fail("unavailable", `host ${this.ssh.target.name} is not connected`));
    return readRemoteFile(this.ssh.settings, this.ssh.target, path);
  }

  /** The host's HOME (the directory orch's own is in), once a connect has told it. */
  agentHome(): string | null {
    const suffix = `/${remoteDirName(this.ssh.socketName)}`;
    return this.dir?.endsWith(suffix) ? this.dir.slice(0, -suffix.length) || "/" : null;
  }

  hookArgv(worker: string): (event: string) => string[] {
    return (event) => remoteHookArgv(this.base, worker, event);
  }

  async checkDir(path: string): Promise<string | null> {
    const r = await remoteDirCheck(this.ssh.settings, this.ssh.target, path);
    return r.ok ? r.value : r.error;
  }

  writeFiles(files: Array<{ path: string; content: string; mode: number }>): Promise<Result<void>> {
    if (this.dir === null)
      return Promise.resolve(fail("unavailable", `host ${this.ssh.target.name} is not connected`));
    return writeRemoteFiles(this.ssh.settings, this.ssh.target, files);
  }

  async logSizes(): Promise<Map<string, number>> {
    if (this.dir === null) return new Map();
    const r = await remoteLogSizes(this.ssh.settings, this.ssh.target, `${this.dir}/logs`);
    if (!r.ok) throw new Error(r.error);
    return r.value;
  }

  rotateLog(worker: string): Promise<Result<void>> {
    const log = this.logFile(worker);
    return remoteRename(this.ssh.settings, this.ssh.target, log, `${log}.1`);
  }

  async processes(): Promise<Map<number, ProcInfo>> {
    const r = await readRemoteProcStats(this.ssh.settings, this.ssh.target);
    if (!r.ok) throw new Error(r.error);
    return snapshotFromStats(r.value);
  }

  pullLog(worker: string): Promise<void> {
    const p = this.pulls.get(worker);
    if (p) {
      p.again = true;
      return p.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      do {
        entry.again = false;
        await this.pullOnce(worker);
      } while (entry.again);
      this.pulls.delete(worker);
    })();
    this.pulls.set(worker, entry);
    return entry.running;
  }

  private async pullOnce(worker: string): Promise<void> {
    if (this.dir === null) return;
    const local = workerLogPath(this.paths, worker);
    const have = fileSize(local);
    const r = await pullRemoteTail(this.ssh.settings, this.ssh.target, this.logFile(worker), have, local);
    if (r.ok && r.value.truncated) {
      // the host's log was rotated: the copy becomes the copy of its `.1` (what recovery reads
      // first), finished from the host's `.1`, and the new log is copied from its start
      const before = `${local}.1`;
      renameSync(local, before);
      await pullRemoteTail(this.ssh.settings, this.ssh.target, `${this.logFile(worker)}.1`, have, before);
      await pullRemoteTail(this.ssh.settings, this.ssh.target, this.logFile(worker), 0, local);
    }
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
