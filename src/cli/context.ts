import { join } from "node:path";
import { ApiClient } from "./api-client.ts";
import { resolveHome } from "./home.ts";

/** What every command gets: ORCH_HOME, the API client and the output mode. */
export interface CliContext {
  home: string;
  api: ApiClient;
  json: boolean;
}

export function makeContext(opts: { home?: string; json?: boolean }): CliContext {
  const home = resolveHome(opts.home, process.env);
  return { home, api: new ApiClient(join(home, "orch.sock")), json: Boolean(opts.json) };
}

/** argv that runs this very orch (the compiled binary, or bun + the entry script in development). */
export function selfArgv(): string[] {
  const compiled = Bun.main.startsWith("/$bunfs/") || Bun.main.startsWith("B:\\~BUN");
  return compiled ? [process.execPath] : [process.execPath, Bun.main];
}
