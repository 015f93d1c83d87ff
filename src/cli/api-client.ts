import { dirname } from "node:path";
import { CliError, EXIT } from "./exit-codes.ts";
import { ControllerGone, controllerGone } from "./reconnect.ts";
import { socketOwnerRefusal } from "./socket-owner.ts";

/** What a worker, task or run argument must be, for {@link segment}'s refusal. */
export const WORKER_EXPECTED = "a worker name (orch status lists them)";
export const TASK_EXPECTED = "a task id (orch results lists them)";
export const RUN_EXPECTED = "a run id, a unique prefix of one, or last (orch runs lists them)";

/**
 * `value` as one segment of an API path (`/v1/tasks/${segment(id, ...)}`), percent-encoded.
 * "", "." and ".." cannot be one (a URL drops or climbs them: `/v1/tasks/..` is `/v1/`), and
 * no id or name is one of them: they are refused as a usage error naming `what` and `expected`.
 *
 * @example
 * ```ts
 * segment("a/b c", "worker", "a worker name"); // "a%2Fb%20c"
 * segment("..", "task", "a task id"); // throws: task "..": expected a task id
 * ```
 */
export function segment(value: string, what: string, expected: string): string {
  if (value === "" || value === "." || value === "..")
    throw new CliError(`${what} ${JSON.stringify(value)}: expected ${expected}`, EXIT.usage);
  return encodeURIComponent(value);
}

/** A thin client of the controller's API on its Unix socket. */
export class ApiClient {
  /** `home`: the ORCH_HOME the socket is in (checked with it: both must be the caller's). */
  constructor(
    readonly socket: string,
    readonly home = dirname(socket),
  ) {}

  /** Refuses a socket or home that another uid owns (exit 3), before anything is sent to it. */
  private checkOwner(): void {
    const uid = process.getuid?.();
    if (uid === undefined) return;
    const problem = socketOwnerRefusal(this.home, this.socket, uid);
    if (problem)
      throw new CliError(`refusing to talk to a controller that is not yours: ${problem}`, EXIT.unavailable);
  }

  /**
   * Calls the API; maps refusals to CLI errors with the contract's exit codes: a 4xx is the
   * caller's (2), a 5xx the controller's (3: its store cannot be written, an internal error).
   */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    if (res.ok) return (await res.json()) as T;
    let msg = `${res.status} ${res.statusText}`;
    try {
      msg = ((await res.json()) as { error?: string }).error ?? msg;
    } catch {}
    throw new CliError(msg, res.status >= 500 ? EXIT.unavailable : EXIT.usage);
  }

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    this.checkOwner();
    try {
      return await fetch(`http://orch${path}`, {
        method,
        unix: this.socket,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      // (a ControllerGone: the waiting commands try again once a controller answers, reconnect.ts)
      throw (
        controllerGone(e, this.socket) ??
        new ControllerGone(
          `orch is not running (no controller answers on ${this.socket}): run 'orch start'`,
          false,
        )
      );
    }
  }

  /** True when a controller answers. */
  async alive(): Promise<boolean> {
    this.checkOwner();
    try {
      await fetch("http://orch/v1/status", { unix: this.socket });
      return true;
    } catch {
      return false;
    }
  }
}
