import { readFileSync } from "node:fs";
import type { Config } from "../domain/config.ts";
import { Masker, secretEnvValues } from "../domain/mask/masker.ts";
import type { MaskRule } from "../domain/mask/rules.ts";
import { fail, ok, type Result } from "../domain/result.ts";
import { installMaskFilter } from "../runtime/mask-filter.ts";
import type { Redactor } from "../store/index.ts";

/**
 * The controller's secret masking, per worker: the store's redactor, what `capture` shows,
 * the filter pane logs are written through. With `mask: false` or for a worker named in
 * `unmaskedWorkers`, text passes unchanged and pane logs are raw.
 */
export interface Masking extends Redactor {
  readonly on: boolean;
  /** Masks `text` for one worker (null: no one's, e.g. a controller log line). */
  text(worker: string | null, text: string): string;
  /** Also masks the secret-looking values of an environment orch gives an agent. */
  addEnv(env: Record<string, string> | undefined): void;
  /** The filter argv for a worker's pane log (pipe-pane), or null for a raw log. */
  logFilter(worker: string): string[] | null;
  /** The pane-log filter's program (to put on a host reached over ssh), or null when logs are raw. */
  filterProgram(): string | null;
}

/** Masking that changes nothing (`mask: false`, and tests that need raw text). */
export const NO_MASKING: Masking = {
  on: false,
  text: (_w, t) => t,
  addEnv: () => undefined,
  logFilter: () => null,
  filterProgram: () => null,
};

/**
 * Builds the masking the config asks for: the built-in rules, the user's `maskRules`, and the
 * values of the secret-looking variables in `env` (the controller's, which tmux and so every
 * agent inherits). Writes the pane-log filter to `filterFile`; an error (`unavailable`) names
 * what is wrong (no perl, a rule perl cannot read).
 *
 * @example
 * ```ts
 * const m = createMasking(config, process.env, `${paths.runDir}/mask-filter.pl`);
 * if (!m.ok) throw new DaemonError(m.error, 3);
 * ```
 */
export function createMasking(
  config: Pick<Config, "mask" | "maskRules" | "unmaskedWorkers">,
  env: Record<string, string | undefined>,
  filterFile: string,
): Result<Masking> {
  if (!config.mask) return ok(NO_MASKING);
  const rules: MaskRule[] = config.maskRules.map((r) => ({ name: r.name, source: r.pattern }));
  const error = installMaskFilter(filterFile, rules);
  if (error) return fail("unavailable", error);
  const literals = new Set(secretEnvValues(env));
  let masker = new Masker(rules, [...literals]);
  const raw = new Set(config.unmaskedWorkers);
  return ok({
    on: true,
    text: (worker, t) => (worker !== null && raw.has(worker) ? t : masker.mask(t)),
    addEnv(e) {
      const before = literals.size;
      for (const v of secretEnvValues(e ?? {})) literals.add(v);
      if (literals.size !== before) masker = new Masker(rules, [...literals]);
    },
    logFilter: (worker) => (raw.has(worker) ? null : ["perl", filterFile]),
    filterProgram: () => readFileSync(filterFile, "utf8"),
  });
}
