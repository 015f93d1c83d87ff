import { describe, expect, test } from "bun:test";
import { parsePathOption, SYSTEM_PATH, servicePath } from "../../../src/core/app/service-path.ts";

const SYSTEM = SYSTEM_PATH.join(":");

describe("servicePath", () => {
  test("root installing for another user (sudo, --run-as): nothing of root's PATH, the user's ~/.local/bin", () => {
    const p = servicePath({
      serviceHome: "/home/ann",
      installerHome: "/root",
      sameUser: false,
      installerPath: "/root/.bun/bin:/root/.pyenv/shims:/usr/local/bin:/usr/bin:/snap/bin",
      programs: ["/usr/local/bin/orch", "/usr/bin/tmux"],
    });
    expect(p).toEqual({ path: `/home/ann/.local/bin:${SYSTEM}`, leftOut: [] });
  });

  test("an orch or tmux in another user's home is left out and named; one elsewhere is added", () => {
    const p = servicePath({
      serviceHome: "/srv/orch",
      installerHome: "/home/bob",
      sameUser: false,
      installerPath: "/home/bob/bin:/usr/bin",
      programs: ["/home/bob/.local/bin/orch", "/opt/tmux/bin/tmux", "/root/tmux/tmux"],
    });
    expect(p).toEqual({
      path: `/srv/orch/.local/bin:${SYSTEM}:/opt/tmux/bin`,
      leftOut: ["/home/bob/.local/bin", "/root/tmux"],
    });
  });

  test("the installer's own service keeps their PATH (the agents' CLIs), adds what it lacks, drops relative and foreign entries", () => {
    const p = servicePath({
      serviceHome: "/home/ann",
      installerHome: "/home/ann",
      sameUser: true,
      installerPath: "/home/ann/.nvm/versions/node/v22/bin:.:bin::/home/bob/bin:/usr/bin:/usr/bin/:/bin",
      programs: ["/home/ann/bin/orch", "/usr/bin/tmux"],
    });
    expect(p).toEqual({
      path: `/home/ann/.nvm/versions/node/v22/bin:/usr/bin:/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/home/ann/bin`,
      leftOut: ["/home/bob/bin"],
    });
  });

  test("root's own service (allowRoot) may use /root", () => {
    const p = servicePath({
      serviceHome: "/root",
      installerHome: "/root",
      sameUser: true,
      installerPath: "/root/.local/bin:/usr/bin",
      programs: ["/root/.local/bin/orch"],
    });
    expect(p.path.split(":")[0]).toBe("/root/.local/bin");
    expect(p.leftOut).toEqual([]);
  });
});

describe("parsePathOption", () => {
  test("absolute folders are taken as given; anything else names the bad entry", () => {
    expect(parsePathOption("/usr/bin:/opt/agents/bin")).toEqual({
      ok: true,
      value: "/usr/bin:/opt/agents/bin",
    });
    expect(parsePathOption("bin:/usr/bin")).toEqual({
      ok: false,
      code: "bad_input",
      error: '--path entry "bin": expected an absolute folder',
    });
    expect(parsePathOption("/usr/bin::/bin")).toEqual({
      ok: false,
      code: "bad_input",
      error: '--path entry "": expected an absolute folder',
    });
  });
});
