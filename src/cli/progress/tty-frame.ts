/** One frame of the live view: which lines to show when the run does not fit on the screen. */
import type { ProgressRun, ProgressStep, ProgressStepStatus, ProgressTask } from "./model.ts";
import { type StepTally, stepUnits, tallyStep, taskGroup } from "./tally.ts";
import { cutToWidth, oneLine, visibleWidth } from "./text-fit.ts";
import { headerLine, moreStepsLine, moreTasksLine, stepLine, taskLine } from "./tty-lines.ts";

/** Step names are padded to the longest shown name, but never wider than this. */
const MAX_NAME_PAD = 24;

/**
 * The lines of one frame: a header, then steps with their running and failed tasks. The frame
 * has at most `rows - 1` lines, each at most `columns - 1` columns wide. When the run does not
 * fit, running steps come first, then failed steps, then their task lines, then the other
 * steps in order; what is left out is summed up on a last `… N more steps: …` line, and a
 * step's unlisted tasks on a `… N more tasks: …` line. Shown steps keep the run's order.
 * Linear in the number of steps and tasks.
 *
 * @example
 * ```ts
 * renderFrame(run, Date.now(), 80, 24); // ["ci  running  3.2 s  [####....] 12/40", "● build  …", …]
 * ```
 */
export function renderFrame(run: ProgressRun, now: number, columns: number, rows: number): string[] {
  const maxLines = Math.floor(rows) - 1;
  const width = Math.floor(columns) - 1;
  if (!(maxLines >= 1)) return [];
  const tallies = run.steps.map(tallyStep);
  const units = { done: 0, total: 0, failed: 0 };
  for (let i = 0; i < run.steps.length; i++) {
    const stepUnit = stepUnits(run.steps[i]!, tallies[i]!);
    units.done += stepUnit.done;
    units.total += stepUnit.total;
    units.failed += tallies[i]!.failed;
  }
  const lines = [headerLine(run, now, units)];
  const plan = planLayout(run.steps, tallies, maxLines - 1);
  let nameWidth = 0;
  for (const index of plan.taskLines.keys()) {
    nameWidth = Math.max(nameWidth, Math.min(MAX_NAME_PAD, visibleWidth(oneLine(run.steps[index]!.name))));
  }
  for (let i = 0; i < run.steps.length; i++) {
    const given = plan.taskLines.get(i);
    if (given === undefined) continue;
    const step = run.steps[i]!;
    const tally = tallies[i]!;
    lines.push(stepLine(step, tally, now, nameWidth));
    const listed = listedTasks(step.tasks, given < tally.listed ? given - 1 : given);
    for (const task of listed) lines.push(taskLine(task, now));
    if (given > 0 && given < tally.listed) {
      const shownRunning = listed.filter((t) => taskGroup(t.status) === "running").length;
      lines.push(moreTasksLine(tally.running - shownRunning, tally.failed - (listed.length - shownRunning)));
    }
  }
  if (plan.hidden > 0) lines.push(moreStepsLine(plan.hidden, plan.hiddenByStatus));
  return lines.map((line) => cutToWidth(line, width));
}

/** Which steps are shown (by index, with the task lines each gets) and what is left out. */
interface Layout {
  taskLines: Map<number, number>;
  hidden: number;
  hiddenByStatus: Record<ProgressStepStatus, number>;
}

/** Fits steps and their task lines into `budget` lines (see {@link renderFrame}). */
function planLayout(steps: ProgressStep[], tallies: StepTally[], budget: number): Layout {
  const taskLines = new Map<number, number>();
  const hiddenByStatus = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
  let full = 0;
  for (let i = 0; i < steps.length; i++) {
    full += 1 + tallies[i]!.listed;
    hiddenByStatus[steps[i]!.status]++;
  }
  if (full <= budget) {
    for (let i = 0; i < steps.length; i++) taskLines.set(i, tallies[i]!.listed);
    return { taskLines, hidden: 0, hiddenByStatus };
  }
  if (budget <= 0) return { taskLines, hidden: 0, hiddenByStatus };
  const allSteps = steps.length <= budget;
  let spare = allSteps ? budget : budget - 1; // keep a line for the summary of hidden steps
  const show = (i: number): void => {
    taskLines.set(i, 0);
    hiddenByStatus[steps[i]!.status]--;
    spare--;
  };
  const active = (status: ProgressStepStatus) => status === "running" || status === "failed";
  const order: number[] = []; // running steps, then failed ones, then (when all fit) the others
  for (const status of ["running", "failed"] as const) {
    for (let i = 0; i < steps.length && spare > 0; i++) {
      if (steps[i]!.status === status) {
        show(i);
        order.push(i);
      }
    }
  }
  if (allSteps) {
    for (let i = 0; i < steps.length; i++) {
      if (!active(steps[i]!.status)) {
        show(i);
        order.push(i);
      }
    }
  }
  for (const i of order) {
    if (spare <= 0) break;
    const given = Math.min(spare, tallies[i]!.listed);
    taskLines.set(i, given);
    spare -= given;
  }
  for (let i = 0; i < steps.length && spare > 0; i++) {
    if (!taskLines.has(i) && !active(steps[i]!.status)) show(i);
  }
  return { taskLines, hidden: steps.length - taskLines.size, hiddenByStatus };
}

/** Up to `count` running tasks, then failed ones, in the step's order. */
function listedTasks(tasks: ProgressTask[], count: number): ProgressTask[] {
  const picked: ProgressTask[] = [];
  for (const group of ["running", "failed"] as const) {
    for (const task of tasks) {
      if (picked.length >= count) return picked;
      if (taskGroup(task.status) === group) picked.push(task);
    }
  }
  return picked;
}
