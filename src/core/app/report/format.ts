import type { ReportFormat } from "./types.ts";

/**
 * The formats `orch report --format` accepts.
 *
 * @example
 * ```ts
 * REPORT_FORMATS.join("|"); // "md|json|html"
 * ```
 */
export const REPORT_FORMATS = ["md", "json", "html"] as const satisfies readonly ReportFormat[];

/** What {@link parseReportFormat} returns. */
export type ParseReportFormatResult = { ok: true; value: ReportFormat } | { ok: false; error: string };

/**
 * Reads a report format as given on the command line; letter case is ignored.
 *
 * @example
 * ```ts
 * parseReportFormat("HTML"); // { ok: true, value: "html" }
 * parseReportFormat("pdf"); // { ok: false, error: 'unknown report format "pdf": expected one of md, json, html' }
 * ```
 */
export function parseReportFormat(name: string): ParseReportFormatResult {
  const value = REPORT_FORMATS.find((f) => f === name.toLowerCase());
  if (value === undefined) {
    return {
      ok: false,
      error: `unknown report format ${JSON.stringify(name)}: expected one of ${REPORT_FORMATS.join(", ")}`,
    };
  }
  return { ok: true, value };
}
