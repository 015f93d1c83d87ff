/** The API's answers and its checks of what a request carries (JSON body, query parameters). */
import { z } from "zod";
import { type FailureCode, fail, ok, type Result } from "../domain/result.ts";

/** The HTTP status of each expected failure. */
export const HTTP: Record<FailureCode, number> = {
  bad_input: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

/** `value` as a JSON answer. */
export const json = (value: unknown, status = 200): Response => Response.json(value, { status });

/** An expected failure as `{error, code}` with its HTTP status. */
export const problem = (code: FailureCode, error: string): Response => json({ error, code }, HTTP[code]);

/** An outcome as the answer: its value mapped by `map`, or its failure. */
export const answer = <T>(o: Result<T>, map: (v: T) => unknown, status = 200): Response =>
  o.ok ? json(map(o.value), status) : problem(o.code, o.error);

/** A request check's refusal: its code, and the answer (`{error, code}` with its status) that says why. */
const refused = (code: FailureCode, error: string) => fail(code, problem(code, error));

/**
 * The request's JSON body checked against `schema`; a refusal (400) names each bad field. The
 * failure carries the answer to give.
 *
 * @example
 * ```ts
 * const b = await body(req, z.strictObject({ keys: z.array(z.string()) }));
 * if (!b.ok) return b.error;
 * ```
 */
export async function body<T>(req: Request, schema: z.ZodType<T>): Promise<Result<T, Response>> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return refused("bad_input", "request body is not JSON");
  }
  const r = schema.safeParse(raw);
  if (r.success) return ok(r.data);
  const msg = r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  return refused("bad_input", msg);
}

const digits = z
  .string()
  .regex(/^\d{1,16}$/)
  .transform(Number);

/**
 * The query parameter `name` as a whole number from `min` to `max` (undefined when absent);
 * anything else is refused with 400 naming the parameter, its value and the range.
 *
 * @example
 * ```ts
 * const limit = intParam(url, "limit", 1, 100_000); // ?limit=1e99: 400 'limit "1e99": expected a whole number from 1 to 100000'
 * if (!limit.ok) return limit.error;
 * ```
 */
export function intParam(
  url: URL,
  name: string,
  min: number,
  max: number,
): Result<number | undefined, Response> {
  const raw = url.searchParams.get(name);
  if (raw === null) return ok(undefined);
  const r = digits.pipe(z.int().min(min).max(max)).safeParse(raw);
  if (r.success) return ok(r.data);
  return refused(
    "bad_input",
    `${name} ${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`,
  );
}

/** `?wait=MS` as milliseconds to wait, at most `max` (0 when absent or not a number). */
export function waitParam(url: URL, max: number): number {
  return Math.min(Number(url.searchParams.get("wait") ?? "0") || 0, max);
}
