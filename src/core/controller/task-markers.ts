import { createHmac, randomBytes } from "node:crypto";
import type { AgentPlugin, MarkerSpec } from "../plugin/contract.ts";
import type { Store } from "../store/index.ts";

/** How many hex digits of the HMAC a marker carries (80 bits). */
const NONCE_HEX = 20;

/**
 * The store's key for marker nonces, made (32 random bytes) the first time. It lives in the
 * store so that a restarted controller still knows the markers of tasks that ran meanwhile.
 */
export function markerKey(store: Store): string {
  return store.transaction(() => store.meta.ensure("marker_key", () => randomBytes(32).toString("hex")));
}

/**
 * One task's markers: the base markers with a nonce only the controller can make (an HMAC of
 * the task id, and of the attempt after the first, under the store's key) at the head of the suffix, so a task that prints
 * `END+id-0+SUFFIX` from what it can read does not end itself. No key: the base markers.
 *
 * @example
 * taskMarkers({ startPrefix: "<S-", endPrefix: "<E-", suffix: ">" }, "k", "t1");
 * // { startPrefix: "<S-", endPrefix: "<E-", suffix: "-3f0c…(20 hex)>" }
 */
export function taskMarkers(base: MarkerSpec, key: string | null, taskId: string, attempt = 1): MarkerSpec {
  if (!key) return base;
  // each attempt its own (the first as before attempts counted): a retry's recovery from the
  // log never takes an earlier attempt's end for its own
  const subject = attempt <= 1 ? taskId : `${taskId}#${attempt}`;
  const nonce = createHmac("sha256", key).update(subject).digest("hex").slice(0, NONCE_HEX);
  return { ...base, suffix: `-${nonce}${base.suffix}` };
}

/**
 * The markers of every task: the configured ones, with the task's nonce for plugins that take
 * one (`detect.nonce`), made with the store's key (when `nonces` is on).
 *
 * @example
 * const set = new MarkerSet(configured, store, true);
 * set.forTask(shell, "t1"); // the configured markers with t1's nonce
 */
export class MarkerSet {
  private readonly key: string | null;

  constructor(
    private readonly base: MarkerSpec,
    store: Store,
    nonces: boolean,
  ) {
    this.key = nonces ? markerKey(store) : null;
  }

  /**
   * The markers of one attempt of a task on `plugin` (1: the first): the configured ones, with
   * the attempt's nonce if the plugin takes one.
   */
  forTask(plugin: AgentPlugin, taskId: string, attempt = 1): MarkerSpec {
    const nonce = plugin.detect.kind === "marker" && plugin.detect.nonce === true;
    return nonce ? taskMarkers(this.base, this.key, taskId, attempt) : this.base;
  }

  /**
   * The markers a task on `plugin` may have been framed with, for its recovery from the pane
   * log: its own, and the configured ones (an older orch framed it, before an upgrade).
   */
  forms(plugin: AgentPlugin, taskId: string, attempt = 1): MarkerSpec[] {
    const own = this.forTask(plugin, taskId, attempt);
    return own === this.base ? [own] : [own, this.base];
  }
}
