import { formatDuration, taskDurationLabel } from "./duration.ts";
import { escapeHtml } from "./html-escape.ts";
import { statusClass } from "./html-style.ts";
import { statusLabel } from "./statuses.ts";
import { axisTicks, tickLabel } from "./time-axis.ts";
import type { ReportRun, ReportTask } from "./types.ts";

const LABEL_W = 150;
const PLOT_W = 960;
const RIGHT_PAD = 50;
const AXIS_H = 24;
const LANE_H = 22;
const BAR_H = 16;
const LABEL_CHARS = 22;

/** The lane of tasks that have no worker. */
const UNASSIGNED = null;

/**
 * The run's timeline as an inline `<svg>` (no namespace needed inside HTML5): one lane per
 * worker, sorted by name, with an `unassigned` lane last for tasks without a worker; each
 * task a bar from its start to its finish (unfinished ones to the end of the run, or `now`
 * while it runs) coloured by status, with a tooltip; tasks that never started a thin mark at
 * the time they were submitted; a time axis in offsets from the run's start on top. Every
 * text from the run is HTML-escaped.
 *
 * @example
 * ```ts
 * renderTimelineSvg(run, Date.now()); // '<svg viewBox="0 0 1160 116" ...>...</svg>' (4 lanes)
 * ```
 */
export function renderTimelineSvg(run: ReportRun, now: number): string {
  const runEnd = Math.max(run.startedAt, run.finishedAt ?? now);
  let end = runEnd;
  for (const t of run.tasks) end = Math.max(end, t.finishedAt ?? t.startedAt ?? t.submittedAt);
  const span = Math.max(1, end - run.startedAt);
  const x = (time: number) => LABEL_W + Math.min(1, Math.max(0, (time - run.startedAt) / span)) * PLOT_W;

  const lanes = laneOrder(run.tasks);
  const laneIndex = new Map(lanes.map((lane, i) => [lane, i]));
  const height = AXIS_H + Math.max(1, lanes.length) * LANE_H + 4;
  const width = LABEL_W + PLOT_W + RIGHT_PAD;
  const out: string[] = [
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
      `aria-label="Timeline of ${run.tasks.length} tasks over ${escapeHtml(formatDuration(span))}">`,
  ];
  lanes.forEach((lane, i) => {
    out.push(laneRow(lane, AXIS_H + i * LANE_H, width));
  });
  if (lanes.length === 0) {
    out.push(`<text class="tick" x="${LABEL_W}" y="${AXIS_H + 15}">No tasks.</text>`);
  }
  for (const tick of axisTicks(span)) {
    const tx = num(x(run.startedAt + tick));
    out.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${AXIS_H - 4}" y2="${height}"/>`,
      `<text class="tick" x="${tx}" y="${AXIS_H - 8}" text-anchor="middle">${tickLabel(tick)}</text>`,
    );
  }
  for (const task of run.tasks) {
    const y = AXIS_H + laneIndex.get(task.worker)! * LANE_H + (LANE_H - BAR_H) / 2;
    out.push(taskBar(task, y, x, runEnd, now));
  }
  out.push("</svg>");
  return out.join("\n");
}

/** The lanes: worker names in order, then the unassigned lane if any task has no worker. */
function laneOrder(tasks: readonly ReportTask[]): (string | null)[] {
  const names = new Set<string>();
  let unassigned = false;
  for (const t of tasks) {
    if (t.worker === null) unassigned = true;
    else names.add(t.worker);
  }
  const lanes: (string | null)[] = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (unassigned) lanes.push(UNASSIGNED);
  return lanes;
}

/** A lane's background and its label, cut short if long (the tooltip has it whole). */
function laneRow(lane: string | null, y: number, width: number): string {
  const name = lane ?? "unassigned";
  const shown = name.length > LABEL_CHARS ? `${name.slice(0, LABEL_CHARS - 1)}…` : name;
  const cls = lane === UNASSIGNED ? "lane-label unassigned" : "lane-label";
  return (
    `<rect class="lane" x="0" y="${y + 1}" width="${width}" height="${LANE_H - 2}"/>` +
    `<text class="${cls}" x="4" y="${y + 15}"><title>${escapeHtml(name)}</title>${escapeHtml(shown)}</text>`
  );
}

/** One task's bar (or thin mark if it never started) with its tooltip. */
function taskBar(
  task: ReportTask,
  y: number,
  x: (time: number) => number,
  runEnd: number,
  now: number,
): string {
  const tip = escapeHtml(
    [
      `task ${task.id}`,
      `step ${task.step ?? "—"}`,
      `project ${task.project ?? "—"}`,
      statusLabel(task.status),
      task.startedAt === null ? "not started" : taskDurationLabel(task, now),
    ].join(" · "),
  );
  const cls = statusClass(task.status);
  if (task.startedAt === null) {
    const mx = x(task.submittedAt);
    return `<rect class="bar queued-mark ${cls}" x="${num(mx - 1)}" y="${y}" width="2" height="${BAR_H}"><title>${tip}</title></rect>`;
  }
  const x1 = x(task.startedAt);
  const x2 = x(task.finishedAt ?? Math.max(task.startedAt, runEnd));
  const w = Math.max(1, x2 - x1);
  return `<rect class="bar ${cls}" x="${num(x1)}" y="${y}" width="${num(w)}" height="${BAR_H}"><title>${tip}</title></rect>`;
}

/** A coordinate rounded to one decimal. */
function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}
