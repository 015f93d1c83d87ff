/** `orch service install [--user] [--print]`: a systemd unit that runs `orch daemon`. */
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { serviceUnit } from "../../core/app/service-unit.ts";
import { type CliContext, selfArgv } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";

/** Where the unit goes: the user's systemd folder, or the system's. */
export function unitPath(scope: "user" | "system", env: NodeJS.ProcessEnv = process.env): string {
  if (scope === "system") return "/etc/systemd/system/orch.service";
  const config = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "systemd", "user", "orch.service");
}

export async function serviceCommand(
  ctx: CliContext,
  action: string,
  opts: { user: boolean; print: boolean },
): Promise<number> {
  if (action !== "install") throw new CliError(`service ${action}: expected "install"`, EXIT.usage);
  const scope = opts.user ? "user" : "system";
  const unit = serviceUnit({
    argv: selfArgv(),
    home: ctx.home,
    user: userInfo().username,
    path: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    scope,
  });
  if (opts.print) {
    if (ctx.json) printJson({ scope, path: unitPath(scope), unit });
    else process.stdout.write(unit);
    return EXIT.ok;
  }
  const file = unitPath(scope);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, unit, { mode: 0o644 });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new CliError(
      `cannot write ${file} (${why}): run it as root for a system unit, or use --user (or --print to see it)`,
      EXIT.usage,
    );
  }
  const systemctl = scope === "user" ? "systemctl --user" : "systemctl";
  if (ctx.json) printJson({ scope, path: file, unit });
  else {
    console.log(`wrote ${file}`);
    console.log(`next: ${systemctl} daemon-reload && ${systemctl} enable --now orch`);
    if (scope === "user") console.log("(to keep it running after you log out: loginctl enable-linger)");
  }
  return EXIT.ok;
}
