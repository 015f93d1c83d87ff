import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathKind, wrongPathKind } from "../../../src/core/store/path-kind.ts";
import { writePrivateFile } from "../../../src/core/store/private-files.ts";

const root = mkdtempSync(join(tmpdir(), "orch-path-kind-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const file = join(root, "f");
writeFileSync(file, "x");

describe("pathKind and wrongPathKind", () => {
  test("what is there", () => {
    expect(pathKind(root)).toBe("directory");
    expect(pathKind(file)).toBe("file");
    expect(pathKind(join(root, "nope"))).toBe("missing");
    expect(pathKind(join(file, "below-a-file"))).toBe("missing");
    expect(pathKind("/dev/null")).toBe("other");
  });

  test("the message names the label, the path as written, what is there and what was expected", () => {
    expect(wrongPathKind("project directory", root, "directory")).toBeNull();
    expect(wrongPathKind("project directory", file, "directory")).toBe(
      `project directory ${JSON.stringify(file)} is a file: expected a directory`,
    );
    expect(wrongPathKind("backup file", "b.db", "file", root)).toBe(
      'backup file "b.db" is a directory: expected a file',
    );
    expect(wrongPathKind("backup file", "nope.db", "file", join(root, "nope"))).toBe(
      'backup file "nope.db" does not exist',
    );
    expect(wrongPathKind("backup file", "/dev/null", "file")).toBe(
      'backup file "/dev/null" is not a file or directory: expected a file',
    );
  });
});

describe("writePrivateFile", () => {
  test("a new file and one that was 0644 both end up 0600 with the text", () => {
    const fresh = join(root, "new.md");
    writePrivateFile(fresh, "hello");
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    const old = join(root, "old.md");
    writeFileSync(old, "a much longer old text", { mode: 0o644 });
    writePrivateFile(old, "new");
    expect(statSync(old).mode & 0o777).toBe(0o600);
    expect(Bun.file(old).size).toBe(3);
  });

  test("a device is written to and left as it is", () => {
    const before = statSync("/dev/null").mode;
    writePrivateFile("/dev/null", "x");
    expect(statSync("/dev/null").mode).toBe(before);
  });
});
