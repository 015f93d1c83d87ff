/** The progress views of `orch run`: live on a terminal, plain lines in logs, JSON Lines for programs. */
import { createJsonView } from "./json-view.ts";
import type { ProgressOut, ProgressView } from "./model.ts";
import { createPlainView } from "./plain-view.ts";
import { createTtyView } from "./tty-view.ts";

export type {
  ProgressOut,
  ProgressRun,
  ProgressRunStatus,
  ProgressStep,
  ProgressStepStatus,
  ProgressTask,
  ProgressTaskStatus,
  ProgressView,
} from "./model.ts";

/** How progress is shown: live redraw (`tty`), one line per change (`plain`), JSON Lines (`json`). */
export type ProgressMode = "tty" | "plain" | "json";

/**
 * The progress view for a mode, writing only through `out.write`.
 *
 * @example
 * ```ts
 * const mode = json ? "json" : process.stdout.isTTY ? "tty" : "plain";
 * const view = createProgressView(mode, {
 *   write: (s) => process.stdout.write(s),
 *   get columns() { return process.stdout.columns || 80; },
 *   get rows() { return process.stdout.rows || 24; },
 * });
 * view.update(run, Date.now()); // on every change, and every ~250 ms on a TTY
 * view.finish(run, Date.now());
 * ```
 */
export function createProgressView(mode: ProgressMode, out: ProgressOut): ProgressView {
  switch (mode) {
    case "tty":
      return createTtyView(out);
    case "plain":
      return createPlainView(out);
    case "json":
      return createJsonView(out);
  }
}
