import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type EventNotifier,
  type EventNotifierOptions,
  eventKindWanted,
  startEventNotifier,
} from "../../../src/core/controller/event-notifier.ts";
import type { Logger, LogLevel } from "../../../src/core/controller/logger.ts";
import type { OrchEvent } from "../../../src/core/domain/types.ts";
import { openStore, type Store } from "../../../src/core/store/index.ts";

const root = mkdtempSync(join(tmpdir(), "orch-notifier-test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Line {
  level: LogLevel;
  msg: string;
  fields: Record<string, unknown>;
}

let n = 0;
let dir: string;
let out: string;
let store: Store;
let lines: Line[];
let notifier: EventNotifier | undefined;
const logger: Logger = {
  log: (level, msg, fields = {}) => {
    lines.push({ level, msg, fields });
  },
};

beforeEach(() => {
  dir = join(root, `${n++}`);
  out = join(dir, "out");
  store = openStore(join(dir, "orch.db"));
  lines = [];
});

afterEach(() => {
  notifier?.stop();
  notifier = undefined;
  store.close();
});

/** Starts a notifier on the test's store; the command sees OUT (and GATE) in its env. */
function start(command: string[], over: Partial<EventNotifierOptions> = {}): void {
  notifier = startEventNotifier({
    events: store.events,
    command,
    kinds: null,
    logger,
    env: { ...process.env, OUT: out, GATE: join(dir, "gate") },
    ...over,
  });
}

function append(kind: string, worker: string | null = "w1", task: string | null = null): OrchEvent {
  return store.events.append({ at: Date.now(), kind, worker, task, data: { n: 1 } });
}

/** The complete lines the command wrote to OUT so far (one being written is not counted yet). */
function written(): string[] {
  return existsSync(out) ? readFileSync(out, "utf8").split("\n").slice(0, -1) : [];
}

/** Polls `cond` until it holds; fails with `what` after a deadline. */
async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

const warned = (msg: string) => lines.filter((l) => l.level === "warn" && l.msg.startsWith(msg));

describe("eventKindWanted", () => {
  test("prefixes, or every kind when null", () => {
    expect(eventKindWanted("worker.dead", null)).toBe(true);
    expect(eventKindWanted("worker.dead", ["worker."])).toBe(true);
    expect(eventKindWanted("task.failed", ["worker.", "task.failed"])).toBe(true);
    expect(eventKindWanted("task.succeeded", ["worker.", "task.failed"])).toBe(false);
    expect(eventKindWanted("workers", ["worker."])).toBe(false);
  });
});

describe("startEventNotifier", () => {
  test("each event arrives as one JSON line on stdin, with ORCH_EVENT_* in the env, in order", async () => {
    start([
      "sh",
      "-c",
      'printf "%s|%s|%s|%s|" "$ORCH_EVENT_KIND" "$ORCH_EVENT_WORKER" "$ORCH_EVENT_TASK" "$ORCH_EVENT_ID" >> "$OUT"; cat >> "$OUT"',
    ]);
    const a = append("worker.dead", "c1", null);
    const b = append("task.failed", "c2", "t-42");
    const c = append("controller.note", null, null);
    await waitFor("three lines", () => written().length === 3);
    const got = written().map((l) => {
      const parts = l.split("|");
      return { env: parts.slice(0, 4), event: JSON.parse(parts.slice(4).join("|")) };
    });
    expect(got).toEqual([
      { env: ["worker.dead", "c1", "", String(a.id)], event: a },
      { env: ["task.failed", "c2", "t-42", String(b.id)], event: b },
      { env: ["controller.note", "", "", String(c.id)], event: c },
    ]);
    expect(lines).toEqual([]);
  });

  test("only kinds matching eventKinds are sent", async () => {
    start(["sh", "-c", 'echo "$ORCH_EVENT_KIND" >> "$OUT"'], { kinds: ["worker.", "task.failed"] });
    for (const kind of [
      "worker.dead",
      "task.succeeded",
      "task.failed",
      "controller.note",
      "worker.revived",
    ]) {
      append(kind);
    }
    // runs go in order, so once the last wanted one is there, an unwanted one would be too
    await waitFor("worker.revived", () => written().includes("worker.revived"));
    expect(written()).toEqual(["worker.dead", "task.failed", "worker.revived"]);
  });

  test("a failing command is logged with the command and event id; later events still go", async () => {
    const command = [
      "sh",
      "-c",
      'read line; case "$ORCH_EVENT_KIND" in bad*) echo nope >&2; exit 3;; esac; echo "$line" >> "$OUT"',
    ];
    start(command);
    const bad = append("bad.one");
    const good = append("worker.dead");
    await waitFor("the good event", () => written().length === 1);
    expect(JSON.parse(written()[0]!)).toEqual(good);
    await waitFor("the warning", () => warned("event command failed").length === 1);
    expect(warned("event command failed")[0]!.fields).toEqual({
      command: command.join(" "),
      event: bad.id,
      kind: "bad.one",
      exit: 3,
      stderr: "nope",
    });
  });

  test("a command that cannot start is logged for each event, never thrown", async () => {
    const missing = join(dir, "no-such-notifier");
    start([missing, "--flag"]);
    const a = append("worker.dead");
    const b = append("worker.revived");
    await waitFor("two warnings", () => warned("event command could not start").length === 2);
    expect(warned("event command could not start").map((l) => [l.fields.command, l.fields.event])).toEqual([
      [`${missing} --flag`, a.id],
      [`${missing} --flag`, b.id],
    ]);
  });

  test("a command running past the limit is killed and logged; the next event goes", async () => {
    start(["sh", "-c", 'if [ "$ORCH_EVENT_KIND" = hang ]; then sleep 30; fi; cat >> "$OUT"'], {
      timeoutMs: 200,
    });
    const t0 = Date.now();
    const hang = append("hang");
    const next = append("worker.dead");
    await waitFor("the next event", () => written().length === 1);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(JSON.parse(written()[0]!)).toEqual(next);
    const killed = warned("event command ran longer than 200 ms; killed");
    expect(killed.map((l) => l.fields.event)).toEqual([hang.id]);
  });

  test("when the queue is full the oldest are dropped, with one warning", async () => {
    // the first run waits for GATE; the rest pile up behind it
    start(["sh", "-c", 'while [ ! -e "$GATE" ]; do sleep 0.02; done; cat >> "$OUT"'], { maxQueued: 2 });
    const events = ["e1", "e2", "e3", "e4", "e5"].map((k) => append(k));
    expect(warned("event command falls behind")).toHaveLength(1);
    writeFileSync(join(dir, "gate"), "");
    await waitFor("the kept events", () => written().length === 2);
    expect(written().map((l) => JSON.parse(l))).toEqual(events.slice(3));
    await waitFor("the catch-up warning", () => warned("event command caught up").length === 1);
    expect(warned("event command caught up")[0]!.fields.dropped).toBe(3);
    expect(warned("event command falls behind")).toHaveLength(1);
  });

  test("stop() detaches from the events repo", () => {
    const listeners = new Set<(e: OrchEvent) => void>();
    start(["true"], {
      events: {
        onAppend(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      },
    });
    expect(listeners.size).toBe(1);
    notifier!.stop();
    expect(listeners.size).toBe(0);
    notifier!.stop();
  });
});
