/** config.yaml and ORCH_* env read together: what a bad file or variable is reported as. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../src/core/controller/load-config.ts";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "orch-load-config-"));
  file = join(dir, "config.yaml");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("loadConfig", () => {
  test("no file: the defaults, with the env over them", () => {
    const r = loadConfig(file, { ORCH_MAX_WORKERS: "8" });
    expect(r.ok && r.value.maxWorkers).toBe(8);
  });

  test("every problem is one line; those from the file name the file, those from env do not", () => {
    writeFileSync(file, "commandTimeout: -1\nbogusKey: 1\n");
    const r = loadConfig(file, { ORCH_COMMAND_TIMEOUT: "abc" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("bad_input");
    const lines = r.error.split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toStartWith(`${file}: config commandTimeout=-1: `);
    expect(lines[1]).toStartWith(`${file}: config bogusKey=1: unknown key`);
    expect(lines[2]).toStartWith('ORCH_COMMAND_TIMEOUT="abc": ');
  });

  test("a file that is not YAML: one error with the parser's first line", () => {
    writeFileSync(file, "a: [1,\n");
    const r = loadConfig(file, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("bad_input");
    expect(r.error).toStartWith(`${file}: not valid YAML: `);
    expect(r.error).not.toContain("\n");
  });
});
