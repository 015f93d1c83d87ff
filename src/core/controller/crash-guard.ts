import { errorMessage } from "../domain/result.ts";
import type { Logger } from "./logger.ts";

/** What {@link guardProcess} returns: where store faults met by callbacks are to be sent. */
export interface ProcessGuard {
  /**
   * From now on, an error `explain` recognizes (returns non-null for: a store fault met by a
   * write outside any request, e.g. from a timer) is handed to it and not logged as a crash.
   */
  explainWith(explain: (e: unknown) => unknown): void;
}

/**
 * Keeps the daemon running through a promise nobody awaited that rejected, or an exception
 * thrown from a callback: each is logged as an error with its stack, and the controller goes
 * on (its state lives in the store, and every flow answers its own failures). A store fault
 * among them stalls the controller, as a failed commit does, once {@link ProcessGuard.explainWith}
 * is given the controller's. A controller that truly hangs is restarted by systemd's watchdog.
 *
 * @example
 * const guard = guardProcess(logger);
 * guard.explainWith((e) => controller.stall.explain(e));
 */
export function guardProcess(logger: Logger): ProcessGuard {
  let explain: ((e: unknown) => unknown) | null = null;
  const report = (what: string) => (e: unknown) => {
    if (explain?.(e)) return;
    logger.log("error", `${what}; the controller goes on`, {
      error: errorMessage(e),
      ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
    });
  };
  process.on("unhandledRejection", report("unhandled promise rejection"));
  process.on("uncaughtException", report("uncaught exception"));
  return {
    explainWith(f) {
      explain = f;
    },
  };
}
