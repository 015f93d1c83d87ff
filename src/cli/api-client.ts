import { CliError, EXIT } from "./exit-codes.ts";

/** A thin client of the controller's API on its Unix socket. */
export class ApiClient {
  constructor(readonly socket: string) {}

  /** Calls the API; maps refusals to CLI errors with the contract's exit codes. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    if (res.ok) return (await res.json()) as T;
    let msg = `${res.status} ${res.statusText}`;
    try {
      msg = ((await res.json()) as { error?: string }).error ?? msg;
    } catch {}
    throw new CliError(msg, res.status === 503 ? EXIT.unavailable : EXIT.usage);
  }

  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`http://orch${path}`, {
        method,
        unix: this.socket,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new CliError(
        `orch is not running (no controller answers on ${this.socket}): run 'orch start'`,
        EXIT.unavailable,
      );
    }
  }

  /** True when a controller answers. */
  async alive(): Promise<boolean> {
    try {
      await fetch("http://orch/v1/status", { unix: this.socket });
      return true;
    } catch {
      return false;
    }
  }
}
