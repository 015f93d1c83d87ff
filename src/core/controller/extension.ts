import type { Config } from "../domain/config.ts";
import type { Store } from "../store/index.ts";
import type { Controller } from "./controller.ts";
import type { Logger } from "./logger.ts";
import type { OrchPaths } from "./paths.ts";

/** What an extension of the daemon gets: the controller and what it is built on. */
export interface ExtensionHost {
  controller: Controller;
  store: Store;
  config: Config;
  logger: Logger;
  paths: OrchPaths;
}

/**
 * A use case that lives in the daemon without the core importing it (Hono's way): workflow
 * runs, reports. It may answer API requests under `/v1/` and start and stop with the daemon.
 *
 * @example
 * ```ts
 * const hello: ExtensionFactory = () => ({
 *   name: "hello",
 *   route: (req, parts) => (parts[1] === "hello" ? Response.json({ hi: true }) : null),
 * });
 * ```
 */
export interface ControllerExtension {
  name: string;
  /** Answers a request whose path is `parts` (`["v1", ...]`), or null when it is not its own. */
  route?(req: Request, parts: string[], url: URL): Promise<Response | null> | Response | null;
  /** Runs once the controller has started (e.g. picks up runs from before a restart). */
  start?(): void | Promise<void>;
  stop?(): void;
}

/** Makes an extension for one daemon. */
export type ExtensionFactory = (host: ExtensionHost) => ControllerExtension;
