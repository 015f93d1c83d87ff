import { describe, expect, test } from "bun:test";
import {
  type HostSlot,
  labelsFit,
  pickHost,
  placeFits,
  placeText,
} from "../../../src/core/domain/placement.ts";

const slot = (name: string, over: Partial<HostSlot> = {}): HostSlot => ({
  name,
  labels: {},
  online: true,
  room: true,
  load: 0,
  ...over,
});

describe("placement", () => {
  test("labels fit when every asked label is there with the same value", () => {
    expect(labelsFit(null, {})).toBe(true);
    expect(labelsFit({ gpu: "1" }, { gpu: "1", zone: "a" })).toBe(true);
    expect(labelsFit({ gpu: "1" }, { gpu: "2" })).toBe(false);
    expect(labelsFit({ gpu: "1", zone: "a" }, { gpu: "1" })).toBe(false);
  });

  test("a place fits a host by name and labels; no place fits every host", () => {
    expect(placeFits(null, "h1", {})).toBe(true);
    expect(placeFits({ host: "h1", labels: null }, "h1", {})).toBe(true);
    expect(placeFits({ host: "h1", labels: null }, "local", {})).toBe(false);
    expect(placeFits({ host: "h1", labels: { a: "1" } }, "h1", {})).toBe(false);
  });

  test("the least loaded host that fits, is online and has room; a task with no place stays local", () => {
    const hosts = [
      slot("local", { load: 0 }),
      slot("h1", { labels: { gpu: "1" }, load: 0.5 }),
      slot("h2", { labels: { gpu: "1" }, load: 0.25 }),
      slot("h3", { labels: { gpu: "1" }, online: false }),
      slot("h4", { labels: { gpu: "1" }, room: false }),
    ];
    expect(pickHost({ host: null, labels: { gpu: "1" } }, hosts)).toBe("h2");
    expect(pickHost(null, hosts)).toBe("local");
    expect(pickHost({ host: "h1", labels: null }, hosts)).toBe("h1");
    expect(pickHost({ host: "h3", labels: null }, hosts)).toBeNull();
    expect(pickHost({ host: null, labels: { gpu: "2" } }, hosts)).toBeNull();
    // on a tie the first listed
    expect(
      pickHost({ host: null, labels: { gpu: "1" } }, [
        slot("a", { labels: { gpu: "1" } }),
        slot("b", { labels: { gpu: "1" } }),
      ]),
    ).toBe("a");
  });

  test("a place reads as words in messages", () => {
    expect(placeText(null)).toBe("");
    expect(placeText({ host: "h1", labels: { gpu: "1", zone: "a" } })).toBe("on host h1 with gpu=1,zone=a");
  });
});
