import { CONFIG_ENV_NAMES, type Config, DEFAULT_CONFIG } from "./config.ts";
import { ConfigSchema, SHAPE } from "./config-schema.ts";
import { fail, ok, type Result } from "./result.ts";

type Key = keyof Config;
const KEYS = Object.keys(CONFIG_ENV_NAMES) as Key[];

/**
 * Builds the config from the parsed config file (`undefined` when there is none) and the
 * environment: defaults < file < env. Env values are strings; numbers are read as decimals
 * (`30`, `0.5`, `1e3`), and an empty variable counts as unset. Every problem is reported, one
 * per line of the error (code `bad_input`), each naming the key, the bad value and what was
 * expected.
 *
 * @example
 * ```ts
 * resolveConfig({ commandTimeout: 60 }, { ORCH_MAX_WORKERS: "8" });
 * // { ok: true, value: { ...DEFAULT_CONFIG, commandTimeout: 60, maxWorkers: 8 } }
 * resolveConfig({ commandTimeout: -1 }, { ORCH_COMMAND_TIMEOUT: "abc" });
 * // { ok: false, code: "bad_input", error:
 * //   "config commandTimeout=-1: expected a positive number of seconds\n" +
 * //   'ORCH_COMMAND_TIMEOUT="abc": expected a positive number of seconds' }
 * ```
 */
export function resolveConfig(file: unknown, env: Record<string, string | undefined>): Result<Config> {
  const errors: string[] = [];
  const merged: Record<string, unknown> = { ...DEFAULT_CONFIG };
  if (file !== undefined && file !== null) {
    if (!isPlainObject(file)) {
      errors.push(`config file=${show(file)}: expected an object of settings, got ${typeName(file)}`);
    } else {
      for (const [key, value] of Object.entries(file)) {
        if (!isKey(key)) {
          errors.push(`config ${key}=${show(value)}: unknown key, ${suggest(key)}`);
          continue;
        }
        const parsed = SHAPE[key].safeParse(value);
        if (parsed.success) merged[key] = parsed.data;
        else errors.push(`config ${key}=${show(value)}: ${parsed.error.issues[0]?.message}`);
      }
    }
  }
  for (const key of KEYS) {
    const name = CONFIG_ENV_NAMES[key];
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    const value = typeof DEFAULT_CONFIG[key] === "number" ? toNumber(raw) : raw;
    const parsed = SHAPE[key].safeParse(value);
    if (parsed.success) merged[key] = parsed.data;
    else errors.push(`${name}=${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message}`);
  }
  if (errors.length > 0) return fail("bad_input", errors.join("\n"));
  return ok(ConfigSchema.parse(merged));
}

function isKey(key: string): key is Key {
  return Object.hasOwn(CONFIG_ENV_NAMES, key);
}

/** `30`, ` 0.5 `, `1e3` -> numbers; anything else stays a string, which the schema refuses. */
function toNumber(raw: string): number | string {
  const text = raw.trim();
  return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(text) ? Number(text) : raw;
}

function suggest(key: string): string {
  const squash = (s: string) =>
    s
      .toLowerCase()
      .replace(/^orch_/, "")
      .replace(/[-_]/g, "");
  const match = KEYS.find((known) => squash(known) === squash(key));
  return match ? `did you mean ${match}?` : `expected one of ${KEYS.join(", ")}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "a non-plain object" : `a ${typeof value}`;
}

/** A bad value as it should appear in a message: strings quoted, long values cut. */
function show(value: unknown): string {
  let text: string;
  if (typeof value === "string" || (typeof value === "object" && value !== null)) {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  } else {
    text = typeof value === "bigint" ? `${value}n` : String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
