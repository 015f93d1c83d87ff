/**
 * The systemd unit that runs `orch daemon` as a service: `Type=notify` (the controller says
 * READY=1 once its API answers) with a watchdog (it pings WATCHDOG=1 while its API answers,
 * so a hung controller is killed and restarted), restarted on failure within a start limit,
 * stopped with SIGTERM, and with KillMode=process so that stopping or restarting the
 * controller never kills the tmux server and the agents it started (the next start adopts them).
 */

import { fail, ok, type Result } from "../domain/result.ts";

/** WatchdogSec: systemd restarts a controller that sent no WATCHDOG=1 for this long. */
export const WATCHDOG_SEC = 30;

/** What the unit needs to know. */
export interface ServiceUnitSpec {
  /** argv that runs orch (absolute paths): the compiled binary, or bun + main.ts. */
  argv: string[];
  /** ORCH_HOME for the service. */
  home: string;
  /** A user (system) unit runs as this user; a --user unit runs as its owner. */
  user: string | null;
  /** PATH for the service, so that tmux and the agents' CLIs are found (see service-path.ts). */
  path: string;
  /** "user": for `systemctl --user`; "system": for /etc/systemd/system. */
  scope: "user" | "system";
  /** The service runs as root on purpose: the unit sets ORCH_ALLOW_ROOT=1 (else orch refuses). */
  allowRoot?: boolean;
}

/** Quotes one word for a systemd command line or an Environment= assignment. */
function systemdQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;
}

/**
 * The unit file's text.
 *
 * @example
 * ```ts
 * serviceUnit({ argv: ["/usr/local/bin/orch"], home: "/home/me/.local/state/orch", user: null,
 *   path: "/usr/local/bin:/usr/bin:/bin", scope: "user" });
 * // "[Unit]\nDescription=orch ...\n...ExecStart=/usr/local/bin/orch daemon\n..."
 * ```
 */
export function serviceUnit(spec: ServiceUnitSpec): string {
  const exec = [...spec.argv, "daemon"].map(systemdQuote).join(" ");
  const lines = [
    "[Unit]",
    "Description=orch controller (AI coding agents in tmux)",
    "After=network.target",
    // at most 5 starts in 5 minutes, then systemd stops trying (see `systemctl status orch`)
    "StartLimitIntervalSec=300",
    "StartLimitBurst=5",
    "",
    "[Service]",
    // READY=1 and WATCHDOG=1 come from the controller's own pid (src/core/runtime/sd-notify.ts)
    "Type=notify",
    "NotifyAccess=main",
    `WatchdogSec=${WATCHDOG_SEC}s`,
    `ExecStart=${exec}`,
    `Environment=${systemdQuote(`ORCH_HOME=${spec.home}`)}`,
    `Environment=${systemdQuote(`PATH=${spec.path}`)}`,
    ...(spec.allowRoot ? ["Environment=ORCH_ALLOW_ROOT=1"] : []),
    ...(spec.scope === "system" && spec.user ? [`User=${spec.user}`] : []),
    // a crash, a non-zero exit and a missed watchdog ping; `orch stop` (exit 0) stays stopped
    "Restart=on-failure",
    "RestartSec=2",
    // the tmux server and the agents live on when the controller stops or restarts
    "KillMode=process",
    "KillSignal=SIGTERM",
    "TimeoutStopSec=15",
    "",
    "[Install]",
    `WantedBy=${spec.scope === "user" ? "default.target" : "multi-user.target"}`,
    "",
  ];
  return lines.join("\n");
}

/** What decides whom the service runs as. */
export interface ServiceUserInput {
  scope: "user" | "system";
  /** uid and name of who runs `orch service install`. */
  uid: number;
  userName: string;
  /** `--run-as NAME`. */
  runAs?: string;
  /** env SUDO_USER: who called sudo. */
  sudoUser?: string;
  /** config `allowRoot` (ORCH_ALLOW_ROOT=1). */
  allowRoot: boolean;
}

/**
 * Whom the service runs as: `--run-as NAME`, else (root installing a system unit) the user
 * who called sudo, else who runs the install. Running orch as root is refused unless
 * `allowRoot`, as `orch start` would refuse it: a unit must never say User=root silently.
 *
 * @example
 * ```ts
 * serviceUser({ scope: "system", uid: 0, userName: "root", sudoUser: "ann", allowRoot: false });
 * // { ok: true, value: { user: "ann", root: false } }
 * serviceUser({ scope: "system", uid: 0, userName: "root", allowRoot: false });
 * // { ok: false, code: "bad_input", error: "a system unit that runs orch as root is refused: ..." }
 * ```
 */
export function serviceUser(i: ServiceUserInput): Result<{ user: string; root: boolean }> {
  const allow = "or set allowRoot: true (ORCH_ALLOW_ROOT=1) if you mean it";
  if (i.scope === "user") {
    if (i.runAs !== undefined) {
      return fail("bad_input", "--run-as is for a system unit: a --user unit runs as its owner");
    }
    if (i.uid === 0 && !i.allowRoot) {
      return fail(
        "bad_input",
        `a user unit of root would run orch as root: install it as the user orch runs as (without sudo), ${allow}`,
      );
    }
    return ok({ user: i.userName, root: i.uid === 0 });
  }
  if (i.runAs !== undefined && !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(i.runAs)) {
    return fail("bad_input", `--run-as "${i.runAs}" is not a user name`);
  }
  const sudo = i.uid === 0 && i.sudoUser && i.sudoUser !== "root" ? i.sudoUser : undefined;
  const user = i.runAs ?? sudo ?? i.userName;
  const root = user === "root" || (user === i.userName && i.uid === 0);
  if (root && !i.allowRoot) {
    return fail(
      "bad_input",
      "a system unit that runs orch as root is refused: agents would get root's rights; " +
        `give --run-as NAME (the user orch runs as), ${allow}`,
    );
  }
  return ok({ user, root });
}
