/**
 * Which Claude Code permission mode a `claude` worker runs in. orch passes it explicitly,
 * because Claude Code's own default changes between versions: since 2.1.3xx it is `auto`, in
 * which Claude Code answers its permission prompts itself and orch's `approvalPolicy` never
 * sees them. orch's default is `default` (every prompt shows, so the policy or a human answers
 * it; Claude Code 2.1.332 calls it "manual" and still takes `default`).
 */

/** The modes Claude Code's `--permission-mode` takes (`manual` only in newer versions). */
export const CLAUDE_PERMISSION_MODES = [
  "default",
  "manual",
  "acceptEdits",
  "plan",
  "auto",
  "dontAsk",
  "bypassPermissions",
] as const;

export type ClaudePermissionMode = (typeof CLAUDE_PERMISSION_MODES)[number];

/**
 * The mode from `ORCH_CLAUDE_PERMISSION_MODE` (unset or empty: `default`). Throws, naming the
 * value, when it is not a mode Claude Code knows. `bypassPermissions` is passed on as asked:
 * orch's permission-skip guard then refuses the start unless `skipPermissions` names claude.
 *
 * @example
 * claudePermissionMode(undefined); // "default"
 * claudePermissionMode("acceptEdits"); // "acceptEdits"
 * claudePermissionMode("yolo"); // throws: ORCH_CLAUDE_PERMISSION_MODE is "yolo"; expected one of default, ...
 */
export function claudePermissionMode(value: string | undefined): ClaudePermissionMode {
  const v = (value ?? "").trim();
  if (v === "") return "default";
  const mode = CLAUDE_PERMISSION_MODES.find((m) => m === v);
  if (!mode) {
    throw new Error(
      `ORCH_CLAUDE_PERMISSION_MODE is "${v}"; expected one of ${CLAUDE_PERMISSION_MODES.join(", ")}`,
    );
  }
  return mode;
}

/**
 * The flags that set the mode: `--dangerously-skip-permissions` when the user turned permission
 * skipping on for claude (config `skipPermissions`), else `--permission-mode <mode>`.
 *
 * @example
 * claudePermissionArgs(false, undefined); // ["--permission-mode", "default"]
 * claudePermissionArgs(true, "plan"); // ["--dangerously-skip-permissions"]
 */
export function claudePermissionArgs(skipPermissions: boolean, value: string | undefined): string[] {
  if (skipPermissions) return ["--dangerously-skip-permissions"];
  return ["--permission-mode", claudePermissionMode(value)];
}
