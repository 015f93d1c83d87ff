import { describe, expect, test } from "bun:test";
import { octalMode, privacyProblem, rootRefusal } from "../../../src/core/domain/isolation.ts";

const DIR = 0o40000;
const FILE = 0o100000;

describe("privacyProblem", () => {
  test("private folders and files of their owner pass", () => {
    expect(
      privacyProblem(
        [
          { path: "/h", isDir: true, mode: DIR | 0o700, uid: 1000 },
          { path: "/h/orch.db", isDir: false, mode: FILE | 0o600, uid: 1000 },
          // stricter than expected is fine: nobody else gets in
          { path: "/h/logs/a.log", isDir: false, mode: FILE | 0o400, uid: 1000 },
        ],
        1000,
      ),
    ).toBeNull();
    expect(privacyProblem([], 1000)).toBeNull();
  });

  test("a folder others can enter: names it, its mode, what is expected and the fix", () => {
    expect(
      privacyProblem(
        [{ path: "/home/u/.local/state/orch/logs", isDir: true, mode: DIR | 0o755, uid: 1000 }],
        1000,
      ),
    ).toBe(
      "/home/u/.local/state/orch/logs is mode 0755: expected 0700 (only you); run chmod 700 /home/u/.local/state/orch/logs",
    );
  });

  test("a file with any group or other bit is refused with 0600", () => {
    for (const mode of [0o644, 0o640, 0o604, 0o602, 0o610]) {
      expect(privacyProblem([{ path: "/h/orch.db", isDir: false, mode: FILE | mode, uid: 7 }], 7)).toBe(
        `/h/orch.db is mode 0${mode.toString(8)}: expected 0600 (only you); run chmod 600 /h/orch.db`,
      );
    }
  });

  test("another owner comes first, and says how to fix it", () => {
    expect(privacyProblem([{ path: "/h", isDir: true, mode: DIR | 0o700, uid: 0 }], 1000)).toBe(
      "/h belongs to uid 0, not to you (uid 1000): orch's folders must be yours alone; run chown 1000 /h as root, or use another --home",
    );
  });

  test("the first problem in the order given", () => {
    const r = privacyProblem(
      [
        { path: "/h", isDir: true, mode: DIR | 0o700, uid: 5 },
        { path: "/h/run", isDir: true, mode: DIR | 0o770, uid: 5 },
        { path: "/h/logs", isDir: true, mode: DIR | 0o777, uid: 5 },
      ],
      5,
    );
    expect(r).toStartWith("/h/run is mode 0770");
  });

  test("a path with spaces or quotes is quoted in the command", () => {
    const r = privacyProblem([{ path: "/tmp/my home/it's", isDir: true, mode: DIR | 0o755, uid: 1 }], 1);
    expect(r).toEndWith(`run chmod 700 '/tmp/my home/it'\\''s'`);
  });

  test("octalMode keeps the special bits", () => {
    expect(octalMode(DIR | 0o755)).toBe("0755");
    expect(octalMode(DIR | 0o1777)).toBe("1777");
  });
});

describe("rootRefusal", () => {
  test("root is refused on a host unless allowRoot; in a sandbox it is allowed; other users always pass", () => {
    expect(rootRefusal(0, false, false)).toBe(
      "refusing to run as root: agents would get root's rights; run as a normal user, or set allowRoot: true (ORCH_ALLOW_ROOT=1) if you mean it (in a container, IS_SANDBOX=1)",
    );
    expect(rootRefusal(0, true, false)).toBeNull();
    expect(rootRefusal(0, false, true)).toBeNull();
    expect(rootRefusal(1000, false, false)).toBeNull();
    expect(rootRefusal(1000, true, true)).toBeNull();
  });
});
