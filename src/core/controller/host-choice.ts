import { canSpawnWorker, type ResourceLimits } from "../domain/limits.ts";
import { type HostSlot, pickHost, placeText } from "../domain/placement.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import type { TaskPlace, Worker } from "../domain/types.ts";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import type { SchedulerHost, SubmitRequest } from "./scheduler.ts";

/**
 * The host to start a worker of a pool on: for a task that asks for no place this machine
 * (within the limits); else the least loaded online host that fits and has room. The limits
 * hold per host (each host's maxWorkers, the config's per-type and per-project ones).
 */
export function chooseHost(
  limits: ResourceLimits,
  hosts: SchedulerHost[],
  want: { type: string; project: string },
  place: TaskPlace | null,
  live: Worker[],
): Result<string> {
  const slots: HostSlot[] = hosts.map((h) => {
    const on = live.filter((w) => w.host === h.name);
    const room = canSpawnWorker({ ...limits, maxWorkers: h.maxWorkers }, on, want);
    return {
      name: h.name,
      labels: h.labels,
      online: h.online,
      room: room.ok,
      load: on.length / h.maxWorkers,
    };
  });
  const host = pickHost(place, slots);
  if (host) return ok(host);
  if (!place) {
    const local = live.filter((w) => w.host === LOCAL_HOST);
    const can = canSpawnWorker(limits, local, want);
    return fail("conflict", can.ok ? "this machine cannot take it" : can.error);
  }
  return fail("conflict", `no online host ${placeText(place)} has room for it (orch host list)`);
}

/** A pool: its agent type, project and the place its tasks asked for (labels in key order). */
export function poolKey(agentType: string, project: string | null, place: TaskPlace | null): string {
  const labels = place?.labels ? Object.entries(place.labels).sort(([a], [b]) => (a < b ? -1 : 1)) : null;
  return JSON.stringify([agentType, project, place?.host ?? null, labels]);
}

/** The place a request asks for, or null for anywhere (no host, no labels). */
export function placeOf(r: SubmitRequest): TaskPlace | null {
  const labels = r.labels && Object.keys(r.labels).length > 0 ? r.labels : null;
  return r.host || labels ? { host: r.host ?? null, labels } : null;
}
