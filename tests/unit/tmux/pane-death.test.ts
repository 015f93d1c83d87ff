import { describe, expect, test } from "bun:test";
import {
  PANE_DEAD_FORMAT,
  paneDiedReport,
  parsePaneDeadValue,
  parsePaneDiedLine,
} from "../../../src/core/tmux/pane-death.ts";

describe("parsePaneDiedLine", () => {
  test("status, signal, or neither (empty fields stay in place)", () => {
    expect(parsePaneDiedLine("pane-died %3 0 ")).toEqual({ paneId: "%3", status: 0, signal: null });
    expect(parsePaneDiedLine("pane-died %3  9")).toEqual({ paneId: "%3", status: null, signal: "9" });
    expect(parsePaneDiedLine("pane-died %12 127 0\n")).toEqual({ paneId: "%12", status: 127, signal: null });
    expect(parsePaneDiedLine("pane-died %3  ")).toEqual({ paneId: "%3", status: null, signal: null });
  });

  test("a line from before the signal was added still reads", () => {
    expect(parsePaneDiedLine("pane-died %3 1")).toEqual({ paneId: "%3", status: 1, signal: null });
    expect(parsePaneDiedLine("pane-died %3 ")).toEqual({ paneId: "%3", status: null, signal: null });
  });

  test("other lines are not pane deaths", () => {
    for (const line of ["", "pane-died", "pane-died 3 0", "window-close %3", " pane-died %3 0"])
      expect(parsePaneDiedLine(line)).toBeNull();
  });
});

describe("the subscription and the hook carry the signal", () => {
  test("parsePaneDeadValue", () => {
    expect(parsePaneDeadValue("1:4242::9")).toEqual({ dead: true, status: null, signal: "9" });
    expect(parsePaneDeadValue("1:4242:3:")).toEqual({ dead: true, status: 3, signal: null });
    expect(parsePaneDeadValue("0:4242::")).toEqual({ dead: false, status: null, signal: null });
    expect(parsePaneDeadValue("1:4242:2")).toEqual({ dead: true, status: 2, signal: null });
  });

  test("the formats name the fields they are parsed into", () => {
    expect(PANE_DEAD_FORMAT).toBe("#{pane_dead}:#{pane_pid}:#{pane_dead_status}:#{pane_dead_signal}");
    expect(paneDiedReport("'/x'")).toBe(
      "printf 'pane-died %s %s %s\\n' '#{hook_pane}' '#{pane_dead_status}' '#{pane_dead_signal}' >> '/x'",
    );
  });
});
