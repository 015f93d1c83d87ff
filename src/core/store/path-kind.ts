/** What is at a path the user named (a project folder, a backup file), and what to say when it is the wrong thing. */
import { statSync } from "node:fs";

/** What `stat` finds at a path (symlinks followed). */
export type PathKind = "missing" | "file" | "directory" | "other" | "unreadable";

/**
 * What is at `path`: a regular file, a directory, something else (a socket, a device), nothing
 * (also when a parent is a file, or the name is too long), or a path this process may not look
 * at (permission denied).
 *
 * @example
 * ```ts
 * pathKind("/etc/passwd"); // "file"
 * pathKind("/etc/passwd/x"); // "missing"
 * ```
 */
export function pathKind(path: string): PathKind {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return "missing";
    return st.isFile() ? "file" : st.isDirectory() ? "directory" : "other";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "EACCES" || code === "EPERM" ? "unreadable" : "missing";
  }
}

/**
 * Why `path` is not the `want` the user meant, or null when it is: the message names what it
 * is called (`label`), the path as the user wrote it (`shown`), what is there and what was
 * expected.
 *
 * @example
 * ```ts
 * wrongPathKind("project directory", "/etc/passwd", "directory");
 * // 'project directory "/etc/passwd" is a file: expected a directory'
 * wrongPathKind("backup file", "/tmp", "file"); // 'backup file "/tmp" is a directory: expected a file'
 * wrongPathKind("backup file", "nope.db", "file"); // 'backup file "nope.db" does not exist'
 * ```
 */
export function wrongPathKind(
  label: string,
  shown: string,
  want: "file" | "directory",
  path: string = shown,
): string | null {
  const kind = pathKind(path);
  const named = `${label} ${JSON.stringify(shown)}`;
  if (kind === want) return null;
  if (kind === "missing") return `${named} does not exist`;
  if (kind === "unreadable") return `${named} cannot be looked at (permission denied): expected a ${want}`;
  const what = kind === "other" ? "not a file or directory" : `a ${kind}`;
  return `${named} is ${what}: expected a ${want}`;
}
