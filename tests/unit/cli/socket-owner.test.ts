import { afterAll, describe, expect, test } from "bun:test";
import { chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { socketOwnerRefusal } from "../../../src/cli/socket-owner.ts";

const uid = process.getuid!();
const root = mkdtempSync(join(tmpdir(), "orch-socket-owner-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("socketOwnerRefusal", () => {
  test("a home and a socket of the caller's own, or none at all, pass", () => {
    const home = join(root, "mine");
    expect(socketOwnerRefusal(home, join(home, "orch.sock"), uid)).toBeNull();
    mkdirSync(home);
    writeFileSync(join(home, "orch.sock"), "");
    expect(socketOwnerRefusal(home, join(home, "orch.sock"), uid)).toBeNull();
  });

  test("another uid's home or socket is refused, naming the path and both uids", () => {
    const home = join(root, "theirs");
    mkdirSync(home);
    const sock = join(home, "orch.sock");
    writeFileSync(sock, "");
    // as another caller: the same files are not theirs
    expect(socketOwnerRefusal(home, sock, uid + 1)).toStartWith(
      `${home} belongs to uid ${uid}, not to you (uid ${uid + 1}): orch's folders must be yours alone`,
    );
    if (uid === 0) {
      chownSync(sock, 65534, 65534);
      expect(socketOwnerRefusal(home, sock, 0)).toStartWith(
        `${sock} belongs to uid 65534, not to you (uid 0)`,
      );
    }
  });

  test("a symlink in place of the socket is judged by what it points to, too", () => {
    const home = join(root, "linked");
    mkdirSync(home);
    const sock = join(home, "orch.sock");
    symlinkSync("/", sock);
    const why = socketOwnerRefusal(home, sock, uid);
    if (uid === 0) expect(why).toBeNull();
    else expect(why).toStartWith(`${sock} belongs to uid 0, not to you (uid ${uid})`);
    expect(socketOwnerRefusal(home, sock, uid + 12345)).toStartWith(`${home} belongs to uid ${uid}`);
  });
});
