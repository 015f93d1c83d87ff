import { fail, ok, type Result } from "../../domain/result.ts";
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

/**
 * Reads a report format as given on the command line; letter case is ignored.
 *
 * @example
 * ```ts
 * parseReportFormat("HTML"); // { ok: true, value: "html" }
 * parseReportFormat("pdf");
 * // { ok: false, code: "bad_input", error: 'unknown report format "pdf": expected one of md, json, html' }
 * ```
 */
export function parseReportFormat(name: string): Result<ReportFormat> {
  const value = REPORT_FORMATS.find((f) => f === name.toLowerCase());
  if (value === undefined) {
    return fail(
      "bad_input",
      `unknown report format ${JSON.stringify(name)}: expected one of ${REPORT_FORMATS.join(", ")}`,
    );
  }
  return ok(value);
}
