/**
 * The CLI's numeric flags, validated once where argv comes in: a bad value is a usage error
 * (exit 2) naming the flag, the value as typed and what was expected.
 */
import { z } from "zod";
import { CliError, EXIT } from "./exit-codes.ts";

/** The longest task timeout the API takes (24 days, in seconds). */
export const MAX_TIMEOUT_SEC = 2_073_600;

/** A number as typed: digits, a sign, a decimal point, an exponent (not "0x1f", "Infinity" or ""). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const decimal = z
  .string()
  .trim()
  .regex(DECIMAL)
  .transform((s) => Number(s));

/** The value a flag was given: the last one when it was repeated; `true` when it had none. */
function lastValue(raw: unknown, flag: string): string {
  const v = Array.isArray(raw) ? raw.at(-1) : raw;
  if (v === undefined || v === true || v === false) throw new CliError(`${flag} needs a value`, EXIT.usage);
  return String(v);
}

function parseWith<T>(schema: z.ZodType<T, string>, raw: unknown, flag: string, expected: string): T {
  const value = lastValue(raw, flag);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new CliError(`${flag} ${JSON.stringify(value)}: expected ${expected}`, EXIT.usage);
}

/**
 * A number of seconds above 0 (fractions allowed), at most {@link MAX_TIMEOUT_SEC}.
 *
 * @example
 * ```ts
 * secondsFlag("2.5", "--timeout"); // 2.5
 * secondsFlag("-1", "--timeout"); // throws: --timeout "-1": expected a positive number of seconds (at most 2073600)
 * ```
 */
export function secondsFlag(raw: unknown, flag: string): number {
  const schema = decimal.pipe(z.number().positive().max(MAX_TIMEOUT_SEC));
  return parseWith(schema, raw, flag, `a positive number of seconds (at most ${MAX_TIMEOUT_SEC})`);
}

/**
 * A whole number from `min` to `max`.
 *
 * @example
 * ```ts
 * wholeFlag("20", "--limit", 1, 100_000); // 20
 * wholeFlag("1e99", "--limit", 1, 100_000); // throws: --limit "1e99": expected a whole number from 1 to 100000
 * ```
 */
export function wholeFlag(raw: unknown, flag: string, min: number, max: number): number {
  const schema = decimal.pipe(z.int().min(min).max(max));
  return parseWith(schema, raw, flag, `a whole number from ${min} to ${max}`);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * An age such as `30d`, `12h`, `90m`, `45s` or `2w` (a bare number: seconds), in seconds.
 *
 * @example
 * ```ts
 * durationFlag("7d", "--older-than"); // 604800
 * durationFlag("soon", "--older-than"); // throws: --older-than "soon": expected an age such as 30d, 12h, 90m, 45s or 2w
 * ```
 */
export function durationFlag(raw: unknown, flag: string): number {
  const schema = z
    .string()
    .trim()
    .regex(/^(\d+\.?\d*|\.\d+)([smhdw]?)$/i)
    .transform((s) => {
      const m = /^(\d+\.?\d*|\.\d+)([smhdw]?)$/i.exec(s)!;
      return Number(m[1]) * (DURATION_UNITS[(m[2] || "s").toLowerCase()] ?? 1);
    })
    .pipe(z.number().positive());
  return parseWith(schema, raw, flag, "an age such as 30d, 12h, 90m, 45s or 2w");
}

/** What `orch start` / `orch daemon` do with agents' panes no stored worker owns. */
export const ORPHAN_FLAG_VALUES = ["adopt", "kill", "keep"] as const;

/**
 * `--orphans`: adopt, kill or keep.
 *
 * @example
 * ```ts
 * orphansFlag("kill"); // "kill"
 * orphansFlag("drop"); // throws: --orphans "drop": expected adopt, kill or keep
 * ```
 */
export function orphansFlag(raw: unknown): (typeof ORPHAN_FLAG_VALUES)[number] {
  return parseWith(z.enum(ORPHAN_FLAG_VALUES), raw, "--orphans", "adopt, kill or keep");
}
