/** Tick spacings a time axis may use, in milliseconds: 1-2-5 steps, then clock-like ones. */
const STEPS_MS = [
  100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
  1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * Where to put labelled ticks on an axis `spanMs` long, starting at 0: a round spacing that
 * gives at most `maxTicks` intervals.
 *
 * @example
 * ```ts
 * axisTicks(245_000); // [0, 60000, 120000, 180000, 240000]
 * ```
 */
export function axisTicks(spanMs: number, maxTicks = 8): number[] {
  const span = Math.max(spanMs, 1);
  let step = STEPS_MS.find((s) => span / s <= maxTicks);
  if (step === undefined) {
    const day = STEPS_MS[STEPS_MS.length - 1]!;
    step = day * Math.ceil(span / day / maxTicks);
  }
  const ticks: number[] = [];
  for (let t = 0; t <= span; t += step) ticks.push(t);
  return ticks;
}

/**
 * A tick's label: its offset from the start in hours, minutes and seconds.
 *
 * @example
 * ```ts
 * tickLabel(0); // "0 s"
 * tickLabel(90_000); // "1 min 30 s"
 * tickLabel(500); // "0.5 s"
 * ```
 */
export function tickLabel(ms: number): string {
  if (ms <= 0) return "0 s";
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes > 0) parts.push(`${minutes} min`);
  if (seconds > 0) parts.push(`${Number(seconds.toFixed(1))} s`);
  return parts.join(" ");
}
