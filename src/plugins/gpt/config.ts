/**
 * Codex's own config (`$CODEX_HOME/config.toml`, default `~/.codex`): orch adds the project's
 * trust when the file does not mention the project, and nothing else. The notify hook and
 * the update check go on the command line (`-c`), so the user's file keeps its provider,
 * model and settings.
 */
import { join } from "node:path";
import type { SeedFile } from "../../core/plugin/sdk.ts";

/** Where Codex keeps its config. */
export function codexHome(home: string): string {
  return process.env.CODEX_HOME || join(home, ".codex");
}

/**
 * The config.toml with a `[projects."<project>"]` trust table appended, or null when the file
 * already has a table for that project (whatever it says).
 *
 * @example
 * trustProject('model = "gpt-5"\n', "/src/app");
 * // 'model = "gpt-5"\n\n[projects."/src/app"]\ntrust_level = "trusted"\n'
 */
export function trustProject(toml: string, project: string): string | null {
  const header = `[projects.${JSON.stringify(project)}]`;
  if (toml.split("\n").some((l) => l.trim() === header)) return null;
  const sep = toml === "" || toml.endsWith("\n\n") ? "" : toml.endsWith("\n") ? "\n" : "\n\n";
  return `${toml}${sep}${header}\ntrust_level = "trusted"\n`;
}

/** The seeded config.toml: the project's trust added to what the file holds where the agent runs. */
export function codexSeedFiles(home: string, project: string): SeedFile[] {
  return [{ path: join(codexHome(home), "config.toml"), merge: (old) => trustProject(old ?? "", project) }];
}

/** A TOML string literal (basic string, JSON escaping is valid TOML for these). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}
