/** The start-time checks on a real folder: what exists must be private to its owner. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { orchPaths } from "../../../src/core/controller/paths.ts";
import { privacyRefusal, startRefusal } from "../../../src/core/controller/preflight.ts";

const uid = process.getuid!();
let root: string;
let home: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "orch-preflight-"));
  home = join(root, "home");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** ORCH_HOME as orch makes it: folders 0700, files 0600. */
function privateHome(): void {
  for (const d of [home, join(home, "logs"), join(home, "run"), join(home, "workers")]) {
    mkdirSync(d, { mode: 0o700 });
    chmodSync(d, 0o700);
  }
  for (const f of ["orch.db", "orch.db-wal", "logs/controller.log", "logs/w1.log"]) {
    writeFileSync(join(home, f), "", { mode: 0o600 });
    chmodSync(join(home, f), 0o600);
  }
}

describe("privacyRefusal", () => {
  test("a home that does not exist yet, and a private one, pass", () => {
    expect(privacyRefusal(orchPaths(home), uid)).toBeNull();
    privateHome();
    expect(privacyRefusal(orchPaths(home), uid)).toBeNull();
  });

  test("each of the folders, the store, its -wal/-shm and the log files is checked", () => {
    for (const [p, mode, want] of [
      [".", 0o755, "0700"],
      ["logs", 0o755, "0700"],
      ["run", 0o750, "0700"],
      ["workers", 0o711, "0700"],
      ["orch.db", 0o644, "0600"],
      ["orch.db-wal", 0o640, "0600"],
      ["logs/w1.log", 0o644, "0600"],
    ] as const) {
      privateHome();
      const path = p === "." ? home : join(home, p);
      chmodSync(path, mode);
      expect(privacyRefusal(orchPaths(home), uid)).toBe(
        `${path} is mode 0${mode.toString(8)}: expected ${want} (only you); run chmod ${want.slice(1)} ${path}`,
      );
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("a -shm file created later by hand with a loose mode is refused too", () => {
    privateHome();
    writeFileSync(join(home, "orch.db-shm"), "");
    chmodSync(join(home, "orch.db-shm"), 0o666);
    expect(privacyRefusal(orchPaths(home), uid)).toStartWith(`${join(home, "orch.db-shm")} is mode 0666`);
  });

  test.skipIf(uid !== 0)("a folder of another user is refused (root only: chown)", () => {
    privateHome();
    chownSync(join(home, "logs"), 65534, 65534);
    expect(privacyRefusal(orchPaths(home), uid)).toBe(
      `${join(home, "logs")} belongs to uid 65534, not to you (uid 0): orch's folders must be yours alone; run chown 0 ${join(home, "logs")} as root, or use another --home`,
    );
  });
});

describe("startRefusal", () => {
  test("root without allowRoot is refused before the folders are looked at", () => {
    privateHome();
    chmodSync(home, 0o755);
    expect(startRefusal(orchPaths(home), { allowRoot: false }, 0, false)).toStartWith(
      "refusing to run as root",
    );
    expect(startRefusal(orchPaths(home), { allowRoot: false }, 0, true)).toStartWith(`${home} is mode 0755`);
    expect(startRefusal(orchPaths(home), { allowRoot: true }, uid, false)).toStartWith(
      `${home} is mode 0755`,
    );
  });
});
