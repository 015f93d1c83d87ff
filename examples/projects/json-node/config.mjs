// Reads a small settings object with defaults: the Node example project for examples/demo.sh.

export const DEFAULTS = Object.freeze({ retries: 3, verbose: false, name: "app" });

/**
 * Parses JSON settings over DEFAULTS; unknown keys and values of the wrong type are errors.
 *
 * @example
 * parseConfig('{"retries": 5}'); // { retries: 5, verbose: false, name: "app" }
 */
export function parseConfig(text) {
  const raw = JSON.parse(text);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new TypeError("config must be a JSON object");
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(DEFAULTS, key)) throw new TypeError(`unknown key ${JSON.stringify(key)}`);
    if (typeof value !== typeof DEFAULTS[key]) {
      throw new TypeError(`${key}: expected a ${typeof DEFAULTS[key]}, got ${JSON.stringify(value)}`);
    }
  }
  return { ...DEFAULTS, ...raw };
}
