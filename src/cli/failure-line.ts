/** How the CLI reports what a command threw: one line on stderr and an exit code, never a stack trace. */
import { errorMessage } from "../core/domain/result.ts";
import { printable } from "../core/domain/text.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { unmarkMessage } from "./literal-argv.ts";
import { controllerGone } from "./reconnect.ts";

/**
 * The line (without its newline) and exit code for `e`: a CliError's own; a usage error of the
 * argv parser (exit 2); the daemon's refusal to start; a connection to the controller that
 * broke (exit 3); anything else, a bug, as "unexpected error: MESSAGE" (exit 3).
 *
 * @example
 * ```ts
 * failureLine(new CliError("no such task", EXIT.usage)); // { line: "orch: no such task", code: 2 }
 * ```
 */
export function failureLine(e: unknown): { line: string; code: number } {
  if (e instanceof CliError) return { line: `orch: ${printable(e.message)}`, code: e.code };
  if (e instanceof Error && e.name === "CACError")
    return { line: `orch: ${printable(unmarkMessage(e.message))}: see 'orch --help'`, code: EXIT.usage };
  if (e instanceof Error && e.name === "DaemonError")
    return { line: `orch: ${printable(e.message)}`, code: (e as Error & { exitCode: number }).exitCode };
  const gone = controllerGone(e, "the controller's socket");
  if (gone) return { line: `orch: ${printable(gone.message)}`, code: EXIT.unavailable };
  return { line: `orch: unexpected error: ${printable(errorMessage(e))}`, code: EXIT.unavailable };
}
