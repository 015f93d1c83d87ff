import { openSync, writeSync } from "node:fs";

export type LogLevel = "info" | "warn" | "error";

/** A line logger: `TIME LEVEL message key=value` to the controller log, or JSON lines. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

/** Logs to a file and, when asked, to stdout (what systemd's journal reads); `mask` hides secrets in each line. */
export function createLogger(
  file: string,
  opts: { stdout: boolean; json: boolean; mask?: (line: string) => string },
): Logger {
  const mask = opts.mask ?? ((line: string) => line);
  let fd: number | null = null;
  try {
    fd = openSync(file, "a", 0o600);
  } catch {}
  return {
    log(level, msg, fields = {}) {
      const at = new Date().toISOString();
      const line = mask(
        opts.json
          ? JSON.stringify({ at, level, msg, ...fields })
          : `${at} ${level.padEnd(5)} ${msg}${Object.entries(fields)
              .map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
              .join("")}`,
      );
      if (fd !== null) {
        try {
          writeSync(fd, `${line}\n`);
        } catch {}
      }
      if (opts.stdout) process.stdout.write(`${line}\n`);
    },
  };
}
