/**
 * Sends every event the store records (or those whose kind matches `eventKinds`) to the user's
 * `eventCommand`: one run per event, the event as one JSON line on stdin, its kind, worker, task
 * and id in `ORCH_EVENT_*` env variables. Runs one at a time, in order, off an in-memory queue,
 * so the controller never waits on it; a command that fails, hangs or cannot start is logged,
 * never thrown. Best effort: queued events are lost when the controller stops.
 */

import { errorMessage } from "../domain/result.ts";
import type { OrchEvent } from "../domain/types.ts";
import { type RunningCommand, runCommand } from "../runtime/run-command.ts";
import type { EventsRepo } from "../store/events-repo.ts";
import type { Logger } from "./logger.ts";

export interface EventNotifierOptions {
  events: Pick<EventsRepo, "onAppend">;
  /** argv of the command, run without a shell. */
  command: string[];
  /** Kind prefixes to send (e.g. `worker.`, `task.failed`); null: every event. */
  kinds: string[] | null;
  logger: Logger;
  /** A run taking longer is killed (default 10 s). */
  timeoutMs?: number;
  /** Most events waiting; past it the oldest is dropped (default 1000). */
  maxQueued?: number;
  /** The environment the `ORCH_EVENT_*` variables are added to (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface EventNotifier {
  /** Stops listening and drops what is still queued; a run under way finishes (or is killed) alone. */
  stop(): void;
}

/** True when `kind` starts with one of `prefixes`, or when there are none (null). */
export function eventKindWanted(kind: string, prefixes: readonly string[] | null): boolean {
  return prefixes === null || prefixes.some((p) => kind.startsWith(p));
}

/**
 * Subscribes to the events repo and feeds each matching event to `command`.
 *
 * @example
 * const n = startEventNotifier({ events: store.events, command: ["notify-send", "orch"], kinds: ["worker."], logger });
 * // ... later
 * n.stop();
 */
export function startEventNotifier(o: EventNotifierOptions): EventNotifier {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const maxQueued = Math.max(1, o.maxQueued ?? 1000);
  const env = o.env ?? process.env;
  const shown = o.command.join(" ");
  const queue: OrchEvent[] = [];
  let running = false;
  let stopped = false;
  /** Events dropped since the queue last ran empty (the warning is logged at the first one). */
  let dropped = 0;

  const warn = (msg: string, fields: Record<string, unknown>) => {
    try {
      o.logger.log("warn", msg, { command: shown, ...fields });
    } catch {}
  };

  const send = async (e: OrchEvent): Promise<void> => {
    let child: RunningCommand;
    try {
      child = runCommand(o.command, {
        input: `${JSON.stringify(e)}\n`,
        env: {
          ...env,
          ORCH_EVENT_KIND: e.kind,
          ORCH_EVENT_WORKER: e.worker ?? "",
          ORCH_EVENT_TASK: e.task ?? "",
          ORCH_EVENT_ID: String(e.id),
        },
      });
    } catch (err) {
      warn("event command could not start", { event: e.id, kind: e.kind, error: errorMessage(err) });
      return;
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    try {
      const code = await child.exited;
      if (timedOut) {
        warn(`event command ran longer than ${timeoutMs} ms; killed`, { event: e.id, kind: e.kind });
      } else if (code !== 0) {
        const stderr = child.stderr().trim();
        warn("event command failed", {
          event: e.id,
          kind: e.kind,
          exit: code,
          ...(stderr ? { stderr } : {}),
        });
      }
    } catch (err) {
      warn("event command failed", { event: e.id, kind: e.kind, error: errorMessage(err) });
    } finally {
      clearTimeout(timer);
    }
  };

  const pump = async (): Promise<void> => {
    try {
      for (let e = queue.shift(); e && !stopped; e = queue.shift()) await send(e);
    } catch (err) {
      warn("event notifier failed", { error: errorMessage(err) });
    }
    running = false;
    if (dropped > 0 && queue.length === 0) {
      warn("event command caught up; events were dropped", { dropped });
      dropped = 0;
    }
    // anything queued after a failure above still goes
    if (!stopped && queue.length > 0) start();
  };

  const start = () => {
    running = true;
    // out of the caller's turn: the event may be appended inside a store transaction
    setImmediate(() => void pump());
  };

  const unsubscribe = o.events.onAppend((e) => {
    try {
      if (stopped || !eventKindWanted(e.kind, o.kinds)) return;
      if (queue.length >= maxQueued) {
        queue.shift();
        if (dropped++ === 0) {
          warn("event command falls behind; dropping the oldest queued events", {
            queued: maxQueued,
          });
        }
      }
      queue.push(e);
      if (!running) start();
    } catch {}
  });

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      queue.length = 0;
    },
  };
}
