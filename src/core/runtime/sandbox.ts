/**
 * Whether this process runs in a throwaway sandbox (a container or a CI job), where running as
 * root is the norm and reaches nothing worth guarding. Claude Code reads `IS_SANDBOX` the same way.
 */
import { existsSync, readFileSync } from "node:fs";

const YES = /^(1|true|yes|on)$/i;
const NO = /^(0|false|no|off)$/i;

/**
 * `IS_SANDBOX` when it is set (1/yes/true or 0/no/false); otherwise the marks containers leave:
 * `/.dockerenv`, `/run/.containerenv` (podman), the `container` variable (systemd-nspawn,
 * podman), a container runtime in PID 1's cgroup; or a CI job (`CI=true`, as CI systems set).
 *
 * @example
 * ```ts
 * inSandbox({ IS_SANDBOX: "0" }); // false, even in a container
 * ```
 */
export function inSandbox(env: Record<string, string | undefined>): boolean {
  const said = env.IS_SANDBOX?.trim() ?? "";
  if (YES.test(said)) return true;
  if (NO.test(said)) return false;
  if (env.container || YES.test(env.CI ?? "")) return true;
  if (existsSync("/.dockerenv") || existsSync("/run/.containerenv")) return true;
  try {
    return /docker|kubepods|containerd|libpod|lxc/.test(readFileSync("/proc/1/cgroup", "utf8"));
  } catch {
    return false;
  }
}
