import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileChunks, fileStream } from "../../../src/core/controller/log-stream.ts";
import { waitFor } from "../../helpers/orch-harness.ts";

const dir = mkdtempSync(join(tmpdir(), "orch-log-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads `stream` until `want` is in what came, or fails after `ms`. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  want: string,
  ms = 5000,
  progress: { text: string } = { text: "" },
): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let got = "";
  const until = Date.now() + ms;
  try {
    while (!got.includes(want)) {
      const left = until - Date.now();
      if (left <= 0)
        throw new Error(`no ${JSON.stringify(want)} within ${ms} ms; got ${JSON.stringify(got)}`);
      const r = await Promise.race([reader.read(), Bun.sleep(left).then(() => null)]);
      if (!r || r.done) continue;
      got += decoder.decode(r.value, { stream: true });
      progress.text = got;
    }
    return got;
  } finally {
    await reader.cancel();
  }
}

describe("log streams", () => {
  test("following a log goes on into the new file after a rotation", async () => {
    const log = join(dir, "w1.log");
    writeFileSync(log, "one\n");
    const got = { text: "" };
    const seen = readUntil(fileStream(log, { follow: true }), "three\n", 5000, got);
    const saw = (t: string) =>
      waitFor(`the reader to see ${JSON.stringify(t)}`, () => got.text.endsWith(t), 5000);
    await saw("one\n");
    appendFileSync(log, "two\n");
    await saw("two\n");
    // rotated in one turn (as tmux's pipe swap does): the rename's change event finds the new
    // file, which is then followed from its start
    renameSync(log, `${log}.1`);
    writeFileSync(log, "");
    appendFileSync(log, "three\n");
    expect(await seen).toBe("one\ntwo\nthree\n");
  });

  test("a file read whole comes in parts as the reader takes them; a missing one is empty", async () => {
    const big = join(dir, "big.out");
    writeFileSync(big, "x".repeat(300_000));
    let n = 0;
    let parts = 0;
    for await (const chunk of fileChunks(big)) {
      n += chunk.length;
      parts++;
    }
    expect(n).toBe(300_000);
    expect(parts).toBeGreaterThan(1);
    expect(await new Response(fileChunks(join(dir, "none"))).text()).toBe("");
    expect(await new Response(fileStream(join(dir, "none"), { follow: false })).text()).toBe("");
  });
});
