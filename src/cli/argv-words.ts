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
