import { CliError, EXIT } from "./exit-codes.ts";

/**
 * Joins the words of TEXT, including those after `--` (which are never read as flags).
 *
 * @example
 * joinText(["echo", "hi"], { "--": ["-n"] }); // "echo hi -n"
 */
export function joinText(words: unknown[], o: { "--"?: string[] }): string {
  return [...words.map(String), ...(o["--"] ?? [])].join(" ");
}

/** A flag's value as a string; a flag given without one is a usage error naming it. */
export function str(v: unknown, flag: string): string {
  if (v === undefined || v === true || v === "") throw new CliError(`${flag} needs a value`, EXIT.usage);
  return String(v);
}

/** A repeatable flag's values (cac gives one value, or an array for several), or undefined when not given. */
export function flagList(v: unknown): string[] | undefined {
  return v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(String);
}
