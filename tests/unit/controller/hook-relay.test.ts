/**
 * A host's hook relay with orch's Perl helper, both real: the helper (as written on a host)
 * posts to the relay's Unix socket, and the event reaches the worker's desk; nothing else
 * gets through.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HookRelay } from "../../../src/core/controller/hook-relay.ts";
import { fail, ok } from "../../../src/core/domain/result.ts";
import { HOOK_HELPER, HOOK_SOCKET_FILE, remoteHookArgv } from "../../../src/core/hosts/hook-helper.ts";
import type { HookEvent } from "../../../src/core/plugin/contract.ts";

const dir = mkdtempSync(join(tmpdir(), "orch-relay-"));
const got: Array<[string, HookEvent]> = [];
const relay = new HookRelay("b1", join(dir, "b1.hook"), {
  hostOf: (w) => ({ c1: "b1", "odd name": "b1", other: "b2" })[w],
  hook: (w, e) => {
    if (e.event === "Refused") return fail("conflict", "no");
    got.push([w, e]);
    return ok(undefined);
  },
});
relay.listen();
// the helper next to the socket, as on a host (hook.sock forwarded there by ssh)
writeFileSync(join(dir, "hook.pl"), HOOK_HELPER, { mode: 0o600 });
symlinkSync(relay.socket, join(dir, HOOK_SOCKET_FILE));
afterAll(() => {
  relay.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the helper as an agent's hook would, with `stdin`; its exit code, output and time. */
async function runHelper(worker: string, event: string, stdin: string | null, extra: string[] = []) {
  const started = Date.now();
  const p = Bun.spawn([...remoteHookArgv(dir, worker, event), ...extra], {
    stdin: stdin === null ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, out, err, ms: Date.now() - started };
}

const post = (path: string, body = "", method = "POST") =>
  fetch(`http://orch${path}`, { method, body: method === "GET" ? undefined : body, unix: relay.socket });

describe("hook relay and helper", () => {
  test("the socket is the owner's only", () => {
    expect(statSync(relay.socket).mode & 0o777).toBe(0o600);
  });

  test("the helper posts stdin's JSON: the worker gets the event with the payload parsed", async () => {
    got.length = 0;
    const payload = { session_id: "s1", last_assistant_message: "é 'quoted' \"x\"\n\u0000end" };
    const r = await runHelper("c1", "Stop", JSON.stringify(payload));
    expect(r).toMatchObject({ code: 0, out: "", err: "" });
    expect(got).toEqual([["c1", { event: "Stop", payload }]]);
  });

  test("a payload as the last argument (Codex's notify), and a worker name that needs encoding", async () => {
    got.length = 0;
    const r = await runHelper("odd name", "notify", null, ['{"type":"agent-turn-complete"}']);
    expect(r.code).toBe(0);
    expect(got).toEqual([["odd name", { event: "notify", payload: { type: "agent-turn-complete" } }]]);
  });

  test("no payload at all: null; a stdin left open is given up after about a second", async () => {
    got.length = 0;
    const p = Bun.spawn(remoteHookArgv(dir, "c1", "SessionStart"), { stdin: "pipe", stdout: "pipe" });
    const started = Date.now();
    expect(await p.exited).toBe(0);
    // the helper's own deadlines are 1 s for stdin and 3 s for the post: far less than this
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(got).toEqual([["c1", { event: "SessionStart", payload: null }]]);
    p.stdin.end();
  });

  test("no controller behind the socket: the helper still exits 0, silent, within seconds", async () => {
    const lonely = mkdtempSync(join(tmpdir(), "orch-relay-none-"));
    writeFileSync(join(lonely, "hook.pl"), HOOK_HELPER);
    const p = Bun.spawn(remoteHookArgv(lonely, "c1", "Stop"), {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await p.exited).toBe(0);
    expect(await new Response(p.stderr).text()).toBe("");
    rmSync(lonely, { recursive: true, force: true });
  });

  test("the relay takes only its own host's workers, only POST /hook/W/E, and names what was wrong", async () => {
    got.length = 0;
    const other = await post("/hook/other/Stop", "{}");
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: string }).error).toBe('no worker "other" on host b1');
    expect((await post("/hook/ghost/Stop")).status).toBe(404);
    expect((await post("/v1/workers/c1/hooks", '{"event":"Stop"}')).status).toBe(404);
    expect((await post("/v1/status", "", "GET")).status).toBe(404);
    const badEvent = await post("/hook/c1/Stop%0Aevil");
    expect(badEvent.status).toBe(400);
    expect(((await badEvent.json()) as { error: string }).error).toContain("event: expected an event name");
    expect((await post("/hook/c1/%E0%A4%A")).status).toBe(400);
    expect((await post("/hook/c1/Refused")).status).toBe(409);
    const huge = await post("/hook/c1/Stop", "x".repeat(4 * 1024 * 1024 + 1));
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toContain("at most 4194304 are taken");
    expect(got).toEqual([]);
  });
});
