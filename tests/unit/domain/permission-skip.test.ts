import { describe, expect, test } from "bun:test";
import {
  findPermissionSkip,
  PERMISSION_SKIP_FLAGS,
  permissionSkipRefusal,
} from "../../../src/core/domain/permission-skip.ts";

describe("findPermissionSkip", () => {
  test("finds every listed switch, as a word of its own or flag=value", () => {
    for (const f of PERMISSION_SKIP_FLAGS) {
      const argv = f.value === undefined ? ["agent", f.flag] : ["agent", f.flag, f.value];
      expect(findPermissionSkip(argv)).toBe(argv.slice(1).join(" "));
      if (f.value !== undefined)
        expect(findPermissionSkip(["agent", `${f.flag}=${f.value}`])).toBe(`${f.flag}=${f.value}`);
    }
  });

  test("inside a shell command line too", () => {
    expect(findPermissionSkip(["bash", "-c", "exec gemini --yolo"])).toBe("--yolo");
    expect(findPermissionSkip(["sh", "-c", "aider --model x --yes-always;echo"])).toBe("--yes-always");
    expect(findPermissionSkip(["sh", "-c", "claude '--dangerously-skip-permissions'"])).toBe(
      "--dangerously-skip-permissions",
    );
  });

  test("harmless look-alikes pass", () => {
    expect(findPermissionSkip(["claude", "--settings", "/w/claude-settings.json"])).toBeNull();
    expect(findPermissionSkip(["claude", "--permission-mode", "plan"])).toBeNull();
    expect(findPermissionSkip(["gemini", "--approval-mode", "default"])).toBeNull();
    expect(findPermissionSkip(["npx", "-y", "some-agent"])).toBeNull();
    expect(findPermissionSkip(["agent", "--yolo-ish", "--no-yolo"])).toBeNull();
    expect(findPermissionSkip(["bash", "--norc", "-i"])).toBeNull();
  });
});

describe("permissionSkipRefusal", () => {
  test("a switch for a type not in skipPermissions is refused, naming the type, the switch and the fix", () => {
    expect(permissionSkipRefusal("x", ["x-agent", "--yolo"], [])).toBe(
      'agent type "x" asks for --yolo, which skips the agent\'s permission checks; allowed only with skipPermissions: ["x"] in the config',
    );
    expect(permissionSkipRefusal("x", ["x-agent", "--yolo"], ["claude"])).not.toBeNull();
  });

  test("allowed for the types named; no switch, nothing to refuse", () => {
    expect(permissionSkipRefusal("x", ["x-agent", "--yolo"], ["x"])).toBeNull();
    expect(permissionSkipRefusal("x", ["x-agent"], [])).toBeNull();
  });
});
