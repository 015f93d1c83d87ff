/**
 * Agent flags that turn the agent's own permission checks off. They are allowed only for the
 * agent types the user names in `skipPermissions`, whoever asks for them (a built-in plugin or
 * a user's one). A list of flags, no knowledge of any plugin: a safety net against a plugin
 * turning them on unasked, not a sandbox (a code plugin can do anything its user can).
 */

/** One permission-skipping switch: `flag`, or `flag value` / `flag=value` when `value` is set. */
export interface PermissionSkipFlag {
  flag: string;
  value?: string;
  /** Which agents know it (for the docs). */
  agents: string;
}

/**
 * The known switches. Short forms that other tools use for harmless things (gemini's `-y`,
 * next to `npx -y`) are left out.
 *
 * @example
 * ```ts
 * PERMISSION_SKIP_FLAGS.map((f) => f.flag); // ["--dangerously-skip-permissions", ...]
 * ```
 */
export const PERMISSION_SKIP_FLAGS: readonly PermissionSkipFlag[] = [
  { flag: "--dangerously-skip-permissions", agents: "Claude Code" },
  { flag: "--permission-mode", value: "bypassPermissions", agents: "Claude Code" },
  { flag: "--dangerously-bypass-approvals-and-sandbox", agents: "Codex CLI" },
  { flag: "--yolo", agents: "Codex CLI, Gemini CLI" },
  { flag: "--approval-mode", value: "yolo", agents: "Gemini CLI" },
  { flag: "--yes-always", agents: "Aider" },
];

/** The words of an argv, also those inside one element (`sh -c "agent --yolo"`). */
function words(argv: readonly string[]): string[] {
  return argv.flatMap((a) => a.split(/[\s'"`;|&()<>]+/)).filter(Boolean);
}

/**
 * The first permission-skipping switch in `argv`, as written, or null.
 *
 * @example
 * ```ts
 * findPermissionSkip(["gemini", "--yolo"]); // "--yolo"
 * findPermissionSkip(["claude", "--permission-mode", "bypassPermissions"]); // "--permission-mode bypassPermissions"
 * findPermissionSkip(["sh", "-c", "aider --yes-always"]); // "--yes-always"
 * findPermissionSkip(["claude", "--settings", "s.json"]); // null
 * ```
 */
export function findPermissionSkip(argv: readonly string[]): string | null {
  const w = words(argv);
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!;
    for (const f of PERMISSION_SKIP_FLAGS) {
      if (f.value === undefined) {
        if (word === f.flag) return word;
      } else if (word === `${f.flag}=${f.value}`) {
        return word;
      } else if (word === f.flag && w[i + 1] === f.value) {
        return `${word} ${f.value}`;
      }
    }
  }
  return null;
}

/**
 * Why an agent of `type` started with `argv` is refused, or null: it asks for a
 * permission-skipping switch and `type` is not in the config's `skipPermissions`.
 *
 * @example
 * ```ts
 * permissionSkipRefusal("x", ["x-agent", "--yolo"], []);
 * // 'agent type "x" asks for --yolo, which skips the agent\'s permission checks; allowed only with skipPermissions: ["x"] in the config'
 * permissionSkipRefusal("x", ["x-agent", "--yolo"], ["x"]); // null
 * ```
 */
export function permissionSkipRefusal(
  type: string,
  argv: readonly string[],
  allowed: readonly string[],
): string | null {
  if (allowed.includes(type)) return null;
  const flag = findPermissionSkip(argv);
  if (flag === null) return null;
  return (
    `agent type "${type}" asks for ${flag}, which skips the agent's permission checks; ` +
    `allowed only with skipPermissions: ["${type}"] in the config`
  );
}
