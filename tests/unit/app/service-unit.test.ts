/** Whom `orch service install` makes the service run as: never root without allowRoot. */
import { describe, expect, test } from "bun:test";
import { serviceUnit, serviceUser } from "../../../src/core/app/service-unit.ts";

const root = { uid: 0, userName: "root", allowRoot: false };
const ann = { uid: 1000, userName: "ann", allowRoot: false };

describe("serviceUser", () => {
  test("a normal user's system unit runs as that user, or as --run-as", () => {
    expect(serviceUser({ scope: "system", ...ann })).toEqual({
      ok: true,
      value: { user: "ann", root: false },
    });
    expect(serviceUser({ scope: "system", ...ann, runAs: "bob" })).toEqual({
      ok: true,
      value: { user: "bob", root: false },
    });
  });

  test("root (sudo) installs for who called sudo, or for --run-as", () => {
    expect(serviceUser({ scope: "system", ...root, sudoUser: "ann" })).toEqual({
      ok: true,
      value: { user: "ann", root: false },
    });
    expect(serviceUser({ scope: "system", ...root, sudoUser: "ann", runAs: "bob" })).toEqual({
      ok: true,
      value: { user: "bob", root: false },
    });
  });

  test("a unit that would run orch as root is refused unless allowRoot", () => {
    for (const i of [{ ...root }, { ...root, sudoUser: "root" }, { ...ann, runAs: "root" }]) {
      const r = serviceUser({ scope: "system", ...i });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toContain("give --run-as NAME");
      expect(serviceUser({ scope: "system", ...i, allowRoot: true })).toEqual({
        ok: true,
        value: { user: "root", root: true },
      });
    }
  });

  test("a --user unit runs as its owner: root's only with allowRoot, no --run-as", () => {
    expect(serviceUser({ scope: "user", ...ann })).toEqual({ ok: true, value: { user: "ann", root: false } });
    expect(serviceUser({ scope: "user", ...root }).ok).toBe(false);
    expect(serviceUser({ scope: "user", ...root, allowRoot: true })).toEqual({
      ok: true,
      value: { user: "root", root: true },
    });
    expect(serviceUser({ scope: "user", ...ann, runAs: "bob" })).toEqual({
      ok: false,
      code: "bad_input",
      error: "--run-as is for a system unit: a --user unit runs as its owner",
    });
  });

  test("--run-as must look like a user name", () => {
    expect(serviceUser({ scope: "system", ...ann, runAs: "a b" }).ok).toBe(false);
  });
});

describe("serviceUnit", () => {
  const spec = { argv: ["/usr/local/bin/orch"], home: "/h", path: "/usr/bin", scope: "system" as const };
  test("a root service carries ORCH_ALLOW_ROOT=1, others do not", () => {
    expect(serviceUnit({ ...spec, user: "root", allowRoot: true })).toContain(
      "Environment=ORCH_ALLOW_ROOT=1\nUser=root\n",
    );
    expect(serviceUnit({ ...spec, user: "ann" })).not.toContain("ORCH_ALLOW_ROOT");
  });
});
