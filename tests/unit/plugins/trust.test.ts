/** Trust in installed plugins: the checksum of a plugin's files and who may write them. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type InstalledPlugin,
  install,
  listInstalled,
  loadInstalled,
  verifyInstalled,
} from "../../../src/core/plugin/external.ts";
import { checkTrust, findUnsafe, octal, treeChecksum, walkTree } from "../../../src/core/plugin/trust.ts";

let root: string;
const uid = process.getuid?.();

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "orch-trust-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A small directory plugin under `root/name` with owner-only modes. */
function tree(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "lib"), { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  chmodSync(join(dir, "lib"), 0o700);
  writeFileSync(join(dir, "index.ts"), "export default 1;\n", { mode: 0o600 });
  writeFileSync(join(dir, "lib", "a.ts"), "export const a = 1;\n", { mode: 0o600 });
  chmodSync(join(dir, "index.ts"), 0o600);
  chmodSync(join(dir, "lib", "a.ts"), 0o600);
  return dir;
}

describe("treeChecksum", () => {
  test("the same files give the same sum, wherever they are", () => {
    const a = tree("a");
    const b = tree("b");
    expect(treeChecksum(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(treeChecksum(a)).toBe(treeChecksum(a));
    expect(treeChecksum(a)).toBe(treeChecksum(b));
  });

  test("one byte, a mode bit, a new file, a renamed file or a link change it", () => {
    const a = tree("a");
    const sums = new Set([treeChecksum(a)]);
    writeFileSync(join(a, "lib", "a.ts"), "export const a = 2;\n");
    sums.add(treeChecksum(a));
    chmodSync(join(a, "index.ts"), 0o700);
    sums.add(treeChecksum(a));
    writeFileSync(join(a, "lib", "b.ts"), "");
    sums.add(treeChecksum(a));
    rmSync(join(a, "lib", "b.ts"));
    writeFileSync(join(a, "lib", "c.ts"), "");
    sums.add(treeChecksum(a));
    symlinkSync("/etc/passwd", join(a, "link"));
    sums.add(treeChecksum(a));
    expect(sums.size).toBe(6);
  });

  test("content moved between files changes it (paths and lengths are framed)", () => {
    const a = join(root, "a");
    const b = join(root, "b");
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, "x"), "12", { mode: 0o600 });
    writeFileSync(join(a, "y"), "3", { mode: 0o600 });
    writeFileSync(join(b, "x"), "1", { mode: 0o600 });
    writeFileSync(join(b, "y"), "23", { mode: 0o600 });
    expect(treeChecksum(a)).not.toBe(treeChecksum(b));
  });

  test("skipped paths do not count; folders count only through their files", () => {
    const a = tree("a");
    const before = treeChecksum(a, (rel) => rel === "orch-plugin.json");
    writeFileSync(join(a, "orch-plugin.json"), "{}");
    mkdirSync(join(a, "empty"));
    expect(treeChecksum(a, (rel) => rel === "orch-plugin.json")).toBe(before);
  });

  test("a single file plugin hashes too", () => {
    const f = join(root, "p.json");
    writeFileSync(f, "{}", { mode: 0o600 });
    chmodSync(f, 0o600);
    const s = treeChecksum(f);
    writeFileSync(f, "{ }");
    expect(treeChecksum(f)).not.toBe(s);
  });
});

describe("walkTree", () => {
  test("lists the root and everything under it in path order", () => {
    const a = tree("a");
    expect(walkTree(a).map((e) => `${e.rel}:${e.type}`)).toEqual([
      ":dir",
      "index.ts:file",
      "lib:dir",
      "lib/a.ts:file",
    ]);
    expect(walkTree(a, (r) => r === "lib").map((e) => e.rel)).toEqual(["", "index.ts"]);
  });
});

describe("findUnsafe", () => {
  test("owner-only files and folders are safe", () => {
    expect(findUnsafe(walkTree(tree("a")), uid)).toBeNull();
  });

  test("a group-writable file is named with its mode", () => {
    const a = tree("a");
    chmodSync(join(a, "lib", "a.ts"), 0o664);
    expect(findUnsafe(walkTree(a), uid)).toEqual({
      path: join(a, "lib", "a.ts"),
      mode: 0o664,
      problem: "is group-writable (mode 0664)",
      fix: "expected no write access for others; chmod go-w it or re-add the plugin",
    });
  });

  test("a world-writable folder, and both at once", () => {
    const a = tree("a");
    chmodSync(join(a, "lib"), 0o703);
    expect(findUnsafe(walkTree(a), uid)?.problem).toBe("is world-writable (mode 0703)");
    chmodSync(join(a, "lib"), 0o777);
    expect(findUnsafe(walkTree(a), uid)?.problem).toBe("is group- and world-writable (mode 0777)");
  });

  test("another owner is refused (uid given as another's)", () => {
    const e = { path: "/p/a.ts", rel: "a.ts", type: "file" as const, mode: 0o600, uid: 4242 };
    expect(findUnsafe([e], 1000)?.problem).toBe("is owned by uid 4242, not by you (uid 1000)");
    expect(findUnsafe([e], undefined)).toBeNull();
  });

  test("a symlink's own mode is not held against it", () => {
    const a = tree("a");
    symlinkSync("index.ts", join(a, "link"));
    expect(findUnsafe(walkTree(a), uid)).toBeNull();
  });

  test("octal", () => {
    expect(octal(0o664)).toBe("0664");
    expect(octal(0o100600)).toBe("0600");
    expect(octal(0o4755)).toBe("04755");
  });
});

describe("checkTrust", () => {
  const input = (dir: string, expected: string | undefined) => ({
    source: "/src/a",
    dir,
    skip: () => false,
    expected,
    alsoCheck: [root],
    uid,
  });

  test("unchanged and owner-only: trusted, with the sum", () => {
    chmodSync(root, 0o700);
    const a = tree("a");
    const sum = treeChecksum(a);
    expect(checkTrust(input(a, sum))).toEqual({ ok: true, value: sum });
  });

  test("changed: both sums and how to trust the new version", () => {
    chmodSync(root, 0o700);
    const a = tree("a");
    const sum = treeChecksum(a);
    writeFileSync(join(a, "index.ts"), "export default 2;\n");
    const r = checkTrust(input(a, sum));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBe(
      `its files changed since it was added (sha256 was ${sum}, now ${treeChecksum(a)}); run "orch plugin add /src/a" again to trust the new version`,
    );
  });

  test("writable by others wins over the checksum (its mode is in the sum too)", () => {
    chmodSync(root, 0o700);
    const a = tree("a");
    const sum = treeChecksum(a);
    chmodSync(join(a, "index.ts"), 0o620);
    const r = checkTrust(input(a, sum));
    expect(r).toEqual({
      ok: false,
      code: "bad_input",
      error: `${join(a, "index.ts")} is group-writable (mode 0620): expected no write access for others; chmod go-w it or re-add the plugin`,
    });
  });

  test("the extra paths are checked too", () => {
    chmodSync(root, 0o777);
    const a = tree("a");
    const r = checkTrust(input(a, treeChecksum(a)));
    expect(r.ok ? "" : r.error).toStartWith(`${root} is group- and world-writable (mode 0777)`);
  });

  test("no recorded sum: untrusted, asking to add it again", () => {
    chmodSync(root, 0o700);
    const r = checkTrust(input(tree("a"), undefined));
    expect(r.ok ? "" : r.error).toBe(
      'no checksum was recorded when it was added (by an older orch); run "orch plugin add /src/a" again to trust it',
    );
  });

  test("a missing folder is a reason, not an exception", () => {
    const r = checkTrust(input(join(root, "gone"), "x"));
    expect(r.ok ? "" : r.error).toStartWith("cannot check its files: ENOENT");
    expect(r.ok ? "" : r.code).toBe("unavailable");
  });
});

describe("install and verifyInstalled", () => {
  const SPEC = {
    name: "lite",
    description: "d",
    version: "1",
    command: ["sh"],
    ready: "\\$ $",
    detect: "marker",
  };

  function addLite(): { home: string; src: string; rec: InstalledPlugin } {
    const home = join(root, "home");
    mkdirSync(home, { mode: 0o700 });
    const src = join(root, "lite.json");
    writeFileSync(src, JSON.stringify(SPEC));
    chmodSync(src, 0o664); // a source others may write is fine: the copy is what counts
    return { home, src, rec: install(home, "lite", src, "declarative") };
  }

  test("the copy and its record are owner-only and the record holds the checksum", async () => {
    const { home, src, rec } = addLite();
    const dir = join(home, "plugins", "lite");
    expect(rec.sha256).toBe(treeChecksum(dir, (r) => r === "orch-plugin.json"));
    expect(rec.source).toBe(src);
    expect(rec.entry).toBe(join(dir, "lite.json"));
    const meta = JSON.parse(readFileSync(join(dir, "orch-plugin.json"), "utf8")) as InstalledPlugin;
    expect(meta.sha256).toBe(rec.sha256!);
    expect(statSync(join(home, "plugins")).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(rec.entry).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "orch-plugin.json")).mode & 0o777).toBe(0o600);
    expect(verifyInstalled(home, rec)).toEqual({ ok: true, value: rec.sha256! });
    const loaded = await loadInstalled(home, rec);
    expect(loaded.ok && loaded.value.plugin.name).toBe("lite");
  });

  test("a folder plugin: every folder 0700, files 0600 (0700 when executable), no .git, links copied as files", () => {
    const src = join(root, "srcdir");
    mkdirSync(join(src, "bin"), { recursive: true });
    mkdirSync(join(src, ".git"));
    writeFileSync(join(src, ".git", "HEAD"), "ref");
    writeFileSync(join(src, "plugin.json"), JSON.stringify(SPEC));
    writeFileSync(join(src, "bin", "run.sh"), "#!/bin/sh\n");
    chmodSync(join(src, "bin", "run.sh"), 0o775);
    chmodSync(join(src, "bin"), 0o777);
    symlinkSync("plugin.json", join(src, "alias.json"));
    symlinkSync("/nonexistent/target", join(src, "dangling"));
    const home = join(root, "home");
    const rec = install(home, "lite", src, "declarative");
    const dir = join(home, "plugins", "lite");
    expect(walkTree(dir).map((e) => `${e.rel} ${octal(e.mode)}`)).toEqual([
      " 0700",
      "alias.json 0600",
      "bin 0700",
      "bin/run.sh 0700",
      "orch-plugin.json 0600",
      "plugin.json 0600",
    ]);
    expect(verifyInstalled(home, rec).ok).toBe(true);
  });

  test("edited after it was added: refused until it is added again", async () => {
    const { home, src, rec } = addLite();
    writeFileSync(rec.entry, JSON.stringify({ ...SPEC, command: ["rm", "-rf", "/"] }));
    const r = await loadInstalled(home, rec);
    expect(r.ok ? "" : r.error).toContain("its files changed since it was added (sha256 was ");
    expect(r.ok ? "" : r.error).toContain(`run "orch plugin add ${src}" again to trust the new version`);
    const again = install(home, "lite", src, "declarative");
    expect(again.sha256).toBe(rec.sha256!);
    expect((await loadInstalled(home, listInstalled(home)[0]!)).ok).toBe(true);
  });

  test("the installed copy may be added again from itself", () => {
    const { home, rec } = addLite();
    writeFileSync(rec.entry, JSON.stringify({ ...SPEC, version: "2" }));
    expect(verifyInstalled(home, rec).ok).toBe(false);
    const again = install(home, "lite", rec.entry, "declarative");
    expect(verifyInstalled(home, again).ok).toBe(true);
    expect(listInstalled(home).map((p) => p.name)).toEqual(["lite"]);
  });

  test("group-writable record or plugins folder: refused, naming it", () => {
    const { home, rec } = addLite();
    const meta = join(home, "plugins", "lite", "orch-plugin.json");
    chmodSync(meta, 0o660);
    const r = verifyInstalled(home, rec);
    expect(r.ok ? "" : r.error).toStartWith(`${meta} is group-writable (mode 0660)`);
    chmodSync(meta, 0o600);
    chmodSync(join(home, "plugins"), 0o770);
    const r2 = verifyInstalled(home, rec);
    expect(r2.ok ? "" : r2.error).toStartWith(`${join(home, "plugins")} is group-writable (mode 0770)`);
  });

  test("an install without a checksum (older orch) or with an entry elsewhere is refused", () => {
    const { home, rec } = addLite();
    const { sha256: _, ...old } = rec;
    const r = verifyInstalled(home, old);
    expect(r.ok ? "" : r.error).toContain("no checksum was recorded");
    const moved = verifyInstalled(home, { ...rec, entry: "/tmp/elsewhere.json" });
    expect(moved.ok ? "" : moved.error).toContain("is outside its folder");
  });
});
