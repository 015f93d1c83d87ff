import { errorMessage } from "../domain/result.ts";
import type { Logger } from "./logger.ts";

/**
 * Keeps the daemon running through a promise nobody awaited that rejected, or an exception
 * thrown from a callback: each is logged as an error with its stack, and the controller goes
 * on (its state lives in the store, and every flow answers its own failures). A controller
 * that truly hangs is restarted by systemd's watchdog instead.
 */
export function guardProcess(logger: Logger): void {
  const report = (what: string) => (e: unknown) =>
    logger.log("error", `${what}; the controller goes on`, {
      error: errorMessage(e),
      ...(e instanceof Error && e.stack ? { stack: e.stack } : {}),
    });
  process.on("unhandledRejection", report("unhandled promise rejection"));
  process.on("uncaughtException", report("uncaught exception"));
}
