/**
 * The systemd unit that runs `orch daemon` as a service: restarted on failure within a start
 * limit, stopped with SIGTERM, and with KillMode=process so that stopping or restarting the
 * controller never kills the tmux server and the agents it started (the next start adopts them).
 */

/** What the unit needs to know. */
export interface ServiceUnitSpec {
  /** argv that runs orch (absolute paths): the compiled binary, or bun + main.ts. */
  argv: string[];
  /** ORCH_HOME for the service. */
  home: string;
  /** A user (system) unit runs as this user; a --user unit runs as its owner. */
  user: string | null;
  /** PATH for the service, so that tmux and the agents' CLIs are found. */
  path: string;
  /** "user": for `systemctl --user`; "system": for /etc/systemd/system. */
  scope: "user" | "system";
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
    "Type=simple",
    `ExecStart=${exec}`,
    `Environment=${systemdQuote(`ORCH_HOME=${spec.home}`)}`,
    `Environment=${systemdQuote(`PATH=${spec.path}`)}`,
    ...(spec.scope === "system" && spec.user ? [`User=${spec.user}`] : []),
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
