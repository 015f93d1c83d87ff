import { describe, expect, test } from "bun:test";
import { homeCheck, storeCheck, tmuxCheck } from "../../../src/core/app/doctor/checks.ts";

describe("doctor checks", () => {
  test("tmux versions: 3.2 and newer are enough, development builds too; older or none are missing", () => {
    expect(tmuxCheck("tmux 3.3a\n")).toEqual({ name: "tmux", status: "ok", detail: "tmux 3.3a" });
    expect(tmuxCheck("tmux 3.2").status).toBe("ok");
    expect(tmuxCheck("tmux 4.0").status).toBe("ok");
    expect(tmuxCheck("tmux master").status).toBe("ok");
    expect(tmuxCheck("tmux 3.1c").status).toBe("missing");
    expect(tmuxCheck("tmux 2.9a").detail).toBe("tmux 2.9a is too old: orch needs tmux 3.2 or newer");
    expect(tmuxCheck(null)).toMatchObject({ status: "missing", detail: "tmux not found on PATH" });
  });

  test("the home: not there yet is fine; someone else's or readable by others is missing, with the fix", () => {
    expect(homeCheck("/h", null, 1000).status).toBe("info");
    expect(homeCheck("/h", { uid: 1000, mode: 0o40700 }, 1000)).toMatchObject({ status: "ok" });
    expect(homeCheck("/h", { uid: 1000, mode: 0o40750 }, 1000)).toMatchObject({
      status: "missing",
      fix: "chmod 700 /h",
    });
    expect(homeCheck("/h", { uid: 0, mode: 0o40700 }, 1000).detail).toBe(
      "/h belongs to uid 0, not to you (uid 1000)",
    );
  });

  test("the store: ok, not there yet, damaged, unreadable", () => {
    expect(storeCheck("/s", ["ok"]).status).toBe("ok");
    expect(storeCheck("/s", null).status).toBe("info");
    expect(storeCheck("/s", ["row 3 missing from index", "x", "y", "z"]).detail).toBe(
      "/s is damaged: row 3 missing from index; x; y",
    );
    expect(storeCheck("/s", null, "file is not a database").status).toBe("missing");
  });
});
