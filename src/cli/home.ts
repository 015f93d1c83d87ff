import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** ORCH_HOME: `--home`, else env `ORCH_HOME`, else `$XDG_STATE_HOME/orch` (`~/.local/state/orch`). */
export function resolveHome(flag: string | undefined, env: Record<string, string | undefined>): string {
  if (flag) return resolve(flag);
  if (env.ORCH_HOME) return resolve(env.ORCH_HOME);
  const state = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(state, "orch");
}
