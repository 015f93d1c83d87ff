import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileStream } from "../../../src/core/controller/log-stream.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function logFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-log-stream-"));
  dirs.push(dir);
  const f = join(dir, "w.log");
  writeFileSync(f, text);
  return f;
}

describe("fileStream", () => {
  test("from: starts at that byte; past the end (a truncated log): from the start", async () => {
    const f = logFile("0123456789");
    expect(await new Response(fileStream(f, { follow: false, from: 4 })).text()).toBe("456789");
    expect(await new Response(fileStream(f, { follow: false, from: 99 })).text()).toBe("0123456789");
  });

  test("a followed stream ends when endWhen says so, with what was appended by then, and unsubscribes", async () => {
    const f = logFile("first\n");
    let end: (() => void) | null = null;
    let unsubscribed = false;
    const stream = fileStream(f, {
      follow: true,
      endWhen: (e) => {
        end = e;
        return () => {
          unsubscribed = true;
        };
      },
    });
    const text = new Response(stream).text();
    appendFileSync(f, "last\n");
    expect(end).not.toBeNull();
    end!();
    expect(await text).toBe("first\nlast\n");
    expect(unsubscribed).toBe(true);
  });
});
