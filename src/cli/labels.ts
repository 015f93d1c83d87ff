import { CliError, EXIT } from "./exit-codes.ts";

/** `KEY=VALUE` labels as a record; a malformed one is a usage error naming it. */
export function parseLabels(raw: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of raw) {
    const i = l.indexOf("=");
    if (i <= 0) throw new CliError(`--label "${l}": expected KEY=VALUE`, EXIT.usage);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  return labels;
}
