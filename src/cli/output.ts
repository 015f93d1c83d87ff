import { orchPaths } from "../core/controller/paths.ts";
import { errorMessage } from "../core/domain/result.ts";
import { writePrivateFile } from "../core/store/private-files.ts";
import { storeFileRefusal } from "../core/store/store-files.ts";
import { CliError, EXIT } from "./exit-codes.ts";
import { out } from "./stdio.ts";

/** Prints a value as JSON on stdout. */
export function printJson(value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints rows as an aligned table with a header. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  out.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}

/**
 * Refuses (exit 2) a `file` a command was asked to write that is one of the store's own files
 * in `home` (orch.db, -wal, -shm, -journal; also through a symlink, `..` or a hard link).
 */
export function refuseStoreFile(home: string, file: string, what = "write to"): void {
  const refused = storeFileRefusal(what, file, orchPaths(home).db);
  if (refused) throw new CliError(refused, EXIT.usage);
}

/**
 * Writes `text` to `file` readable by its owner only (0600), as backups are; exit 2 naming the
 * file if it cannot, or if it is one of the store's own files in `home`.
 */
export function writeOwnFile(file: string, text: string, home: string): void {
  refuseStoreFile(home, file);
  try {
    writePrivateFile(file, text);
  } catch (e) {
    throw new CliError(`cannot write ${JSON.stringify(file)}: ${errorMessage(e)}`, EXIT.usage);
  }
}
