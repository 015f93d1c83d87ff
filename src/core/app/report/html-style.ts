import type { ReportRun, ReportStepStatus, ReportTaskStatus } from "./types.ts";

/** Any status a report colours: of a run, a step or a task. */
export type AnyStatus = ReportTaskStatus | ReportStepStatus | ReportRun["status"];

/**
 * The colour of each status, shared by the timeline bars and the status badges.
 *
 * @example
 * ```ts
 * STATUS_COLORS.failed; // "#c62828"
 * ```
 */
export const STATUS_COLORS: Record<AnyStatus, string> = {
  queued: "#757575",
  pending: "#757575",
  dispatched: "#0288d1",
  running: "#1565c0",
  succeeded: "#2e7d32",
  failed: "#c62828",
  timed_out: "#ef6c00",
  cancelled: "#424242",
  skipped: "#8d6e63",
};

/**
 * The CSS class that colours an element by status: `s-<status>`.
 *
 * @example
 * ```ts
 * statusClass("timed_out"); // "s-timed_out"
 * ```
 */
export function statusClass(status: AnyStatus): string {
  return `s-${status}`;
}

const BASE_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
  max-width: 1200px; padding: 16px 24px 48px; color: #1b1b1b; background: #fafafa; }
h1 { font-size: 1.6em; margin: 0.2em 0; } h2 { margin-top: 1.6em; } h3 { margin-bottom: 0.3em; }
.muted { color: #666; }
.summary { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 16px; }
.summary dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.summary dt { font-weight: 600; }
.summary dd { margin: 0; }
table { border-collapse: collapse; background: #fff; width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td { white-space: pre-line; overflow-wrap: anywhere; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; color: #fff; white-space: nowrap; }
pre { background: #1e1e1e; color: #eee; padding: 8px 12px; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; word-break: break-all; }
.timeline { overflow-x: auto; background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px; }
.timeline svg { display: block; max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
.timeline .lane-label { fill: #333; } .timeline .lane-label.unassigned { font-style: italic; fill: #777; }
.timeline .lane { fill: #f5f5f5; } .timeline .grid { stroke: #ddd; } .timeline .tick { fill: #555; }
.timeline .queued-mark { opacity: 0.6; }
`;

/**
 * The report's whole stylesheet: layout plus one colour rule per status, for badges
 * (background) and timeline bars (fill).
 *
 * @example
 * ```ts
 * reportCss().includes(".badge.s-failed"); // true
 * ```
 */
export function reportCss(): string {
  const colors = Object.entries(STATUS_COLORS)
    .map(([s, c]) => `.badge.s-${s} { background: ${c}; } .bar.s-${s} { fill: ${c}; }`)
    .join("\n");
  return `${BASE_CSS.trim()}\n${colors}\n`;
}
