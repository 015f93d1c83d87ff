/**
 * Trust in an installed plugin: a checksum of its files, taken when `orch plugin add` copied
 * it, and the rule that nobody but its owner can change them. Both checks return a value with
 * the reason; they never throw for what they find on disk.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, fail, ok, type Result } from "../domain/result.ts";

/** One file or folder under a plugin's folder, as the checks see it (symlinks are not followed). */
export interface TreeEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the root, with `/` separators ("" for the root itself). */
  rel: string;
  type: "file" | "dir" | "symlink" | "other";
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  uid: number;
}

/**
 * Every file and folder under `root` (the root included), sorted by relative path so the
 * order never depends on the file system. Entries for which `skip(rel)` is true are left out
 * (a skipped folder with all it holds).
 *
 * @example
 * walkTree("/var/lib/orch/plugins/mine").map((e) => e.rel); // ["", "index.ts", "lib", "lib/a.ts"]
 */
export function walkTree(root: string, skip: (rel: string) => boolean = () => false): TreeEntry[] {
  const out: TreeEntry[] = [];
  const visit = (path: string, rel: string) => {
    const st = lstatSync(path);
    const type = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
    out.push({ path, rel, type, mode: st.mode & 0o7777, uid: st.uid });
    if (type !== "dir") return;
    for (const name of readdirSync(path)) {
      const r = rel ? `${rel}/${name}` : name;
      if (!skip(r)) visit(join(path, name), r);
    }
  };
  visit(root, "");
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/**
 * The sha256 (hex) of a plugin's files: for each file in order of its relative path, the
 * path, its permission bits and its content (a symlink by its target). Folders count only
 * through what they hold. The same files give the same sum wherever they are.
 *
 * @example
 * treeChecksum("/var/lib/orch/plugins/mine", (rel) => rel === "orch-plugin.json");
 * // "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
 */
export function treeChecksum(root: string, skip: (rel: string) => boolean = () => false): string {
  const h = createHash("sha256");
  for (const e of walkTree(root, skip)) {
    if (e.type === "dir") continue;
    if (e.type === "file") {
      const content = readFileSync(e.path);
      h.update(`file\0${e.rel}\0${e.mode.toString(8)}\0${content.length}\0`);
      h.update(content);
    } else if (e.type === "symlink") {
      h.update(`symlink\0${e.rel}\0${readlinkSync(e.path)}\0`);
    } else {
      h.update(`other\0${e.rel}\0${e.mode.toString(8)}\0`);
    }
  }
  return h.digest("hex");
}

/** Why a path cannot be trusted. */
export interface UnsafePath {
  path: string;
  mode: number;
  /** e.g. "is group-writable (mode 0664)" or "is owned by uid 1001, not by you (uid 1000)". */
  problem: string;
  /** What to do about it. */
  fix: string;
}

/** `0o664` -> `"0664"`. */
export function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, "0")}`;
}

/**
 * The first entry that someone other than `uid` could change: writable by group or others
 * (symlinks aside: their own mode means nothing), or owned by another user. `uid` undefined
 * (no uids on this system) skips the owner check. Null when all are safe.
 *
 * @example
 * findUnsafe([{ path: "/p/a.ts", rel: "a.ts", type: "file", mode: 0o664, uid: 1000 }], 1000);
 * // { path: "/p/a.ts", mode: 0o664, problem: "is group-writable (mode 0664)", fix: "..." }
 */
export function findUnsafe(entries: readonly TreeEntry[], uid: number | undefined): UnsafePath | null {
  for (const e of entries) {
    if (uid !== undefined && e.uid !== uid) {
      return {
        path: e.path,
        mode: e.mode,
        problem: `is owned by uid ${e.uid}, not by you (uid ${uid})`,
        fix: "expected files of your own; re-add the plugin",
      };
    }
    if (e.type === "symlink") continue;
    const g = (e.mode & 0o020) !== 0;
    const o = (e.mode & 0o002) !== 0;
    if (g || o) {
      const who = g && o ? "group- and world-writable" : g ? "group-writable" : "world-writable";
      return {
        path: e.path,
        mode: e.mode,
        problem: `is ${who} (mode ${octal(e.mode)})`,
        fix: "expected no write access for others; chmod go-w it or re-add the plugin",
      };
    }
  }
  return null;
}

/** What {@link checkTrust} needs to know about one installed plugin. */
export interface TrustInput {
  /** What the user gave to `orch plugin add` (for the message that says how to re-add). */
  source: string;
  /** The installed copy's folder. */
  dir: string;
  /** Relative paths under `dir` that are not part of the plugin (its record). */
  skip: (rel: string) => boolean;
  /** The checksum recorded when it was added; undefined for installs that predate it. */
  expected: string | undefined;
  /** Other paths that must be safe too (the plugins folder, the record). */
  alsoCheck: readonly string[];
  /** The current user's uid (`process.getuid?.()`). */
  uid: number | undefined;
}

function entryOf(path: string): TreeEntry {
  const st = lstatSync(path);
  return {
    path,
    rel: path,
    type: st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other",
    mode: st.mode & 0o7777,
    uid: st.uid,
  };
}

/**
 * Whether an installed plugin may be loaded: nobody else can write or owns any of its files
 * and folders (nor `alsoCheck`), and its files still have the checksum recorded when it was
 * added. Gives that checksum; the error names the path or both sums and what to do (callers
 * put `plugin NAME: ` before it), with code `unavailable` when the files cannot be read and
 * `bad_input` when they are not to be trusted.
 *
 * @example
 * checkTrust({ source: "/src/mine.ts", dir: "/h/plugins/mine",
 *   skip: (r) => r === "orch-plugin.json", expected: "9f86...", alsoCheck: ["/h/plugins"], uid: 1000 });
 * // { ok: false, code: "bad_input", error: 'its files changed since it was added (sha256 was 9f86..., now 2c26...); run "orch plugin add /src/mine.ts" again to trust the new version' }
 */
export function checkTrust(t: TrustInput): Result<string> {
  const readd = `run "orch plugin add ${t.source}" again`;
  let unsafe: UnsafePath | null;
  try {
    unsafe = findUnsafe([...t.alsoCheck.map(entryOf), ...walkTree(t.dir, t.skip)], t.uid);
  } catch (e) {
    return fail("unavailable", `cannot check its files: ${errorMessage(e)}`);
  }
  if (unsafe) return fail("bad_input", `${unsafe.path} ${unsafe.problem}: ${unsafe.fix}`);
  if (!t.expected) {
    return fail(
      "bad_input",
      `no checksum was recorded when it was added (by an older orch); ${readd} to trust it`,
    );
  }
  let now: string;
  try {
    now = treeChecksum(t.dir, t.skip);
  } catch (e) {
    return fail("unavailable", `cannot read its files: ${errorMessage(e)}`);
  }
  if (now !== t.expected) {
    return fail(
      "bad_input",
      `its files changed since it was added (sha256 was ${t.expected}, now ${now}); ${readd} to trust the new version`,
    );
  }
  return ok(now);
}
