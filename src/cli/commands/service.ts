/** `orch service install [--user] [--print] [--run-as NAME] [--path DIRS]`: a systemd unit that runs `orch daemon`. */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { parsePathOption, servicePath } from "../../core/app/service-path.ts";
import { serviceUnit, serviceUser } from "../../core/app/service-unit.ts";
import { loadConfig } from "../../core/controller/load-config.ts";
import { orchPaths } from "../../core/controller/paths.ts";
import { errorMessage } from "../../core/domain/result.ts";
import { type CliContext, selfArgv } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { err, out } from "../stdio.ts";

/** Where the unit goes: the user's systemd folder, or the system's. */
export function unitPath(scope: "user" | "system", env: NodeJS.ProcessEnv = process.env): string {
  if (scope === "system") return "/etc/systemd/system/orch.service";
  const config = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "systemd", "user", "orch.service");
}

/** config `allowRoot` under `home` (with ORCH_* env); a config that does not load is an error. */
function allowRoot(home: string): boolean {
  const cfg = loadConfig(orchPaths(home).config, process.env);
  if (!cfg.ok) throw new CliError(cfg.error, EXIT.usage);
  return cfg.value.allowRoot;
}

/** The passwd entry of a user name or uid (`getent passwd`), as its fields; null when none. */
function passwd(key: string): string[] | null {
  const r = spawnSync("getent", ["passwd", key], { encoding: "utf8" });
  const fields = r.status === 0 ? r.stdout.split("\n")[0]?.split(":") : undefined;
  return fields && fields.length >= 7 ? fields : null;
}

/** The HOME of user `name`, for that user's default ORCH_HOME. */
function homeOf(name: string): string {
  const home = passwd(name)?.[5];
  if (!home) throw new CliError(`--run-as ${name}: there is no user named "${name}"`, EXIT.usage);
  return home;
}

/** This user's name: from the passwd entry of the uid (Bun's userInfo() may say "unknown"). */
function myName(uid: number): string {
  return passwd(String(uid))?.[0] ?? process.env.USER ?? userInfo().username;
}

/**
 * The unit's PATH: `--path` as given, else one that fits the service user (see servicePath),
 * with a note on stderr for what was left out and for an orch binary the user cannot reach.
 */
function unitPathVariable(
  given: string | undefined,
  who: { sameUser: boolean; userHome: string; orch: string },
) {
  if (given !== undefined) {
    const p = parsePathOption(given);
    if (!p.ok) throw new CliError(p.error, EXIT.usage);
    return p.value;
  }
  const tmux = Bun.which("tmux", { PATH: process.env.PATH ?? "" });
  const p = servicePath({
    serviceHome: who.userHome,
    installerHome: homedir(),
    sameUser: who.sameUser,
    installerPath: process.env.PATH,
    programs: [who.orch, ...(tmux ? [tmux] : [])],
  });
  if (p.leftOut.length > 0) {
    err.line(`note: PATH leaves out ${p.leftOut.join(", ")} (another user's home); --path DIRS sets it`);
  }
  if (p.leftOut.includes(dirname(who.orch))) {
    err.line(
      `warning: ${who.orch} is in another user's home, which the service user probably cannot reach: ` +
        "install orch where it can (e.g. /usr/local/bin) and run this again",
    );
  }
  return p.path;
}

export async function serviceCommand(
  ctx: CliContext,
  action: string,
  opts: { user: boolean; print: boolean; runAs?: string; homeGiven?: boolean; path?: string },
): Promise<number> {
  if (action !== "install") throw new CliError(`service ${action}: expected "install"`, EXIT.usage);
  const scope = opts.user ? "user" : "system";
  const me = { uid: userInfo().uid, username: myName(userInfo().uid) };
  const who = serviceUser({
    scope,
    uid: me.uid,
    userName: me.username,
    ...(opts.runAs !== undefined ? { runAs: opts.runAs } : {}),
    ...(process.env.SUDO_USER ? { sudoUser: process.env.SUDO_USER } : {}),
    allowRoot: me.uid === 0 || opts.runAs === "root" ? allowRoot(ctx.home) : false,
  });
  if (!who.ok) throw new CliError(who.error, EXIT.usage);
  const { user, root } = who.value;
  const sameUser = user === me.username;
  const userHome = sameUser ? homedir() : homeOf(user);
  // another user's service keeps its state in that user's default ORCH_HOME unless one is given
  const home = sameUser || opts.homeGiven ? ctx.home : join(userHome, ".local", "state", "orch");
  const argv = selfArgv();
  const unit = serviceUnit({
    argv,
    home,
    user,
    path: unitPathVariable(opts.path, { sameUser, userHome, orch: argv[0] ?? "" }),
    scope,
    allowRoot: root,
  });
  if (opts.print) {
    if (ctx.json) printJson({ scope, path: unitPath(scope), unit });
    else out.write(unit);
    return EXIT.ok;
  }
  const file = unitPath(scope);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, unit, { mode: 0o644 });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "EACCES" ? "permission denied" : errorMessage(e);
    throw new CliError(
      `cannot write ${file} (${why}): run it as root for a system unit, or use --user (or --print to see it)`,
      EXIT.usage,
    );
  }
  const systemctl = scope === "user" ? "systemctl --user" : "systemctl";
  if (ctx.json) printJson({ scope, path: file, unit });
  else {
    out.line(`wrote ${file}`);
    out.line(`next: ${systemctl} daemon-reload && ${systemctl} enable --now orch`);
    if (scope === "user") out.line("(to keep it running after you log out: loginctl enable-linger)");
  }
  return EXIT.ok;
}
