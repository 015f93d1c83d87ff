/**
 * Where pool tasks may run and where the scheduler starts a worker for them, pure: a task's
 * place (a host, labels its host must have) against the hosts there are.
 */
import type { TaskPlace } from "./types.ts";

/** A host as the scheduler weighs it for a new worker. */
export interface HostSlot {
  name: string;
  labels: Record<string, string>;
  /** Its link is up (this machine's always is). */
  online: boolean;
  /** A worker of the pool may be started there within its limits (maxWorkers and the rest). */
  room: boolean;
  /** Its live workers (and those being started) over its maxWorkers: 0 empty, 1 full. */
  load: number;
}

/** Whether a host with `has` carries every label `asked` names, with the same value. */
export function labelsFit(
  asked: Record<string, string> | null | undefined,
  has: Record<string, string>,
): boolean {
  if (!asked) return true;
  return Object.entries(asked).every(([k, v]) => has[k] === v);
}

/**
 * Whether a worker on `host` (whose labels are `labels`) may take a task asking for `place`.
 *
 * @example
 * ```ts
 * placeFits({ host: null, labels: { gpu: "1" } }, "h1", { gpu: "1", zone: "a" }); // true
 * placeFits({ host: "h2", labels: null }, "h1", {}); // false
 * ```
 */
export function placeFits(
  place: TaskPlace | null | undefined,
  host: string,
  labels: Record<string, string>,
): boolean {
  if (!place) return true;
  return (place.host === null || place.host === host) && labelsFit(place.labels, labels);
}

/**
 * The host to start a worker on for a task asking for `place`: among the hosts that fit it,
 * are online and have room, the least loaded (the first listed on a tie); null when none.
 * A task that asks for no place runs on `local`, as it always has: its project is a path here.
 *
 * @example
 * ```ts
 * pickHost({ host: null, labels: { gpu: "1" } }, [
 *   { name: "local", labels: {}, online: true, room: true, load: 0 },
 *   { name: "h1", labels: { gpu: "1" }, online: true, room: true, load: 0.5 },
 *   { name: "h2", labels: { gpu: "1" }, online: true, room: true, load: 0.25 },
 * ]); // "h2"
 * ```
 */
export function pickHost(place: TaskPlace | null | undefined, hosts: HostSlot[]): string | null {
  let best: HostSlot | null = null;
  for (const h of hosts) {
    if (!place ? h.name !== LOCAL : !placeFits(place, h.name, h.labels)) continue;
    if (!h.online || !h.room) continue;
    if (!best || h.load < best.load) best = h;
  }
  return best?.name ?? null;
}

/** What a place is called in messages: "on host h1 with gpu=1", or "" for anywhere. */
export function placeText(place: TaskPlace | null | undefined): string {
  if (!place) return "";
  const parts: string[] = [];
  if (place.host) parts.push(`on host ${place.host}`);
  const labels = Object.entries(place.labels ?? {}).map(([k, v]) => `${k}=${v}`);
  if (labels.length) parts.push(`with ${labels.join(",")}`);
  return parts.join(" ");
}

const LOCAL = "local";
