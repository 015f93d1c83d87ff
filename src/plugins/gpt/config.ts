/**
 * Codex's own config (`$CODEX_HOME/config.toml`, default `~/.codex`): orch adds the project's
 * trust when the file does not mention the project, and nothing else. The notify hook and
 * the update check go on the command line (`-c`), so the user's file keeps its provider,
 * model and settings.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

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

/** The seeded config.toml (absolute path and content), or nothing when it needs no change. */
export function codexSeedFiles(home: string, project: string): { path: string; content: string }[] {
  const file = join(codexHome(home), "config.toml");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const next = trustProject(current, project);
  return next === null ? [] : [{ path: file, content: next }];
}

/** A TOML string literal (basic string, JSON escaping is valid TOML for these). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}
