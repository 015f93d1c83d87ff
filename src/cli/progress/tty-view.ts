/** The live view for a terminal: one block of lines, redrawn in place. */
import type { ProgressOut, ProgressRun, ProgressView } from "./model.ts";
import { visibleWidth } from "./text-fit.ts";
import { renderFrame } from "./tty-frame.ts";

const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_TO_LINE_END = "\x1b[K";
const CLEAR_TO_SCREEN_END = "\x1b[J";

/**
 * A view that draws {@link renderFrame}'s lines and, on each update, moves the cursor up over
 * the previous frame and draws the new one over it (each line cleared to its end, then the
 * rest of the screen cleared, for a frame shorter than the last). The cursor is hidden from
 * the first frame until `finish`, which draws the last frame and leaves the cursor below it.
 * An unchanged frame is not written again. The terminal size is read from `out` on every
 * update; if it narrowed, the move up counts the rows the old lines now wrap to.
 * The caller should still call `finish` on Ctrl-C, or the cursor stays hidden.
 *
 * @example
 * ```ts
 * const view = createTtyView({ write: (s) => process.stdout.write(s), columns: 100, rows: 30 });
 * const timer = setInterval(() => view.update(currentRun(), Date.now()), 250);
 * // ... when the run is over:
 * clearInterval(timer);
 * view.finish(currentRun(), Date.now());
 * ```
 */
export function createTtyView(out: ProgressOut): ProgressView {
  let previous: string[] = [];
  let previousWidths: number[] = [];
  let started = false;
  let finished = false;

  const draw = (run: ProgressRun, now: number, last: boolean): void => {
    const columns = Math.max(1, Math.floor(out.columns));
    const lines = renderFrame(run, now, columns, out.rows);
    const up = rowsOnScreen(previousWidths, columns);
    if (started && up === previous.length && sameLines(lines, previous)) {
      if (last) out.write(SHOW_CURSOR);
      return;
    }
    let s = started ? "" : HIDE_CURSOR;
    if (up > 0) s += `\x1b[${up}A`;
    s += "\r";
    for (const line of lines) s += `${line}${CLEAR_TO_LINE_END}\n`;
    s += CLEAR_TO_SCREEN_END;
    if (last) s += SHOW_CURSOR;
    out.write(s);
    previous = lines;
    previousWidths = lines.map(visibleWidth);
    started = true;
  };

  return {
    update(run, now) {
      if (!finished) draw(run, now, false);
    },
    finish(run, now) {
      if (finished) return;
      finished = true;
      draw(run, now, true);
    },
  };
}

/** Screen rows that lines of these widths take on a terminal `columns` wide. */
function rowsOnScreen(widths: number[], columns: number): number {
  let rows = 0;
  for (const width of widths) rows += Math.max(1, Math.ceil(width / columns));
  return rows;
}

function sameLines(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
