/** Seeded files as a worker's host gets them: content as given, merges from what the file holds there. */
import { describe, expect, test } from "bun:test";
import { localPlace } from "../../../src/core/controller/host-place.ts";
import type { OrchPaths } from "../../../src/core/controller/paths.ts";
import { placeSeedFiles } from "../../../src/core/controller/seed-files.ts";
import { fail, ok } from "../../../src/core/domain/result.ts";
import { markerPlugin } from "../../helpers/fake-pane.ts";

/** A place whose files are a map (path -> text), every read recorded. */
function mapPlace(files: Record<string, string>) {
  const reads: string[] = [];
  const place = {
    ...localPlace({ home: "/nowhere" } as OrchPaths),
    readFile: async (path: string) => {
      reads.push(path);
      return ok(files[path] ?? null);
    },
  };
  return { place, reads };
}

describe("placeSeedFiles", () => {
  test("content is taken as given; a relative path is under the data dir; 0600 unless told", async () => {
    const { place, reads } = mapPlace({});
    const r = await placeSeedFiles(markerPlugin(), place, "/d/w1", [
      { path: "rc", content: "x" },
      { path: "/etc/abs", content: "y", mode: 0o644 },
    ]);
    expect(r).toEqual(
      ok([
        { path: "/d/w1/rc", content: "x", mode: 0o600 },
        { path: "/etc/abs", content: "y", mode: 0o644 },
      ]),
    );
    expect(reads).toEqual([]);
  });

  test("a merge gets what the file holds on the host (null when it is not there); null leaves it be", async () => {
    const { place, reads } = mapPlace({ "/h/.tool.json": '{"mine":1}' });
    const seen: Array<string | null> = [];
    const r = await placeSeedFiles(markerPlugin(), place, "/d/w1", [
      {
        path: "/h/.tool.json",
        merge: (old) => {
          seen.push(old);
          return `${old}+trust`;
        },
      },
      {
        path: "/h/.other",
        merge: (old) => {
          seen.push(old);
          return null;
        },
      },
    ]);
    expect(seen).toEqual(['{"mine":1}', null]);
    expect(reads).toEqual(["/h/.tool.json", "/h/.other"]);
    expect(r).toEqual(ok([{ path: "/h/.tool.json", content: '{"mine":1}+trust', mode: 0o600 }]));
  });

  test("a merge that throws fails the start naming the plugin; a file that cannot be read names it", async () => {
    const { place } = mapPlace({ "/h/.x": "not json" });
    const thrown = await placeSeedFiles(markerPlugin(), place, "/d", [
      {
        path: "/h/.x",
        merge: () => {
          throw new Error("/h/.x is not a JSON object");
        },
      },
    ]);
    expect(thrown.ok).toBe(false);
    expect(!thrown.ok && thrown.error).toContain("startup.files.merge");
    expect(!thrown.ok && thrown.error).toContain("/h/.x is not a JSON object");
    const unreadable = await placeSeedFiles(
      markerPlugin(),
      { ...place, readFile: async () => fail("unavailable", "cannot read /h/.y on host b1: timeout") },
      "/d",
      [{ path: "/h/.y", merge: () => "z" }],
    );
    expect(unreadable).toEqual(fail("unavailable", "cannot read /h/.y on host b1: timeout"));
  });
});
