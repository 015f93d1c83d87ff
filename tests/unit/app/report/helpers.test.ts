import { describe, expect, test } from "bun:test";
import { outputExcerpt } from "../../../../src/core/app/report/excerpt.ts";
import { parseReportFormat } from "../../../../src/core/app/report/format.ts";
import { escapeHtml } from "../../../../src/core/app/report/html-escape.ts";
import { fencedBlock, mdCell, mdTable } from "../../../../src/core/app/report/markdown-text.ts";
import { resolveReportOptions } from "../../../../src/core/app/report/options.ts";
import { omittedText, selectTableTasks } from "../../../../src/core/app/report/task-selection.ts";
import { axisTicks, tickLabel } from "../../../../src/core/app/report/time-axis.ts";
import { task } from "./fixtures.ts";

describe("outputExcerpt", () => {
  test("keeps the end, marks the cut, never splits a surrogate pair", () => {
    expect(outputExcerpt("building...\nerror: boom\n", 11)).toBe("…rror: boom\n");
    expect(outputExcerpt("ok\n", 400)).toBe("ok\n");
    expect(outputExcerpt("a😀b", 2)).toBe("…b");
    expect(outputExcerpt(null, 400)).toBeNull();
    expect(outputExcerpt("x", 0)).toBeNull();
  });
});

describe("markdown text", () => {
  test("cells escape pipes, newlines and markup", () => {
    expect(mdCell("a|b\nc\r\nd")).toBe("a\\|b<br>c<br>d");
    expect(mdCell("<script>&")).toBe("&lt;script>&amp;");
    expect(mdCell(null)).toBe("—");
    expect(mdCell(0)).toBe("0");
    expect(mdCell("C:\\dir\\|x\\\n")).toBe("C:\\dir\\\\\\|x\\\\<br>");
  });

  test("a table has a header, a separator and one line per row", () => {
    expect(mdTable(["A", "B"], [["x", null]])).toBe("| A | B |\n| --- | --- |\n| x | — |");
  });

  test("a fence is longer than any backtick run inside", () => {
    expect(fencedBlock("plain")).toBe("```text\nplain\n```");
    expect(fencedBlock("a ````` b\n")).toBe("``````text\na ````` b\n``````");
  });
});

describe("escapeHtml", () => {
  test("escapes the five characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});

describe("time axis", () => {
  test("round spacings, at most 8 intervals", () => {
    expect(axisTicks(245_000)).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
    expect(axisTicks(10)).toEqual([0]);
    expect(axisTicks(1)).toEqual([0]);
    expect(axisTicks(30 * 86_400_000).length).toBeLessThanOrEqual(9);
  });

  test("labels are offsets in h, min and s", () => {
    expect(tickLabel(0)).toBe("0 s");
    expect(tickLabel(500)).toBe("0.5 s");
    expect(tickLabel(90_000)).toBe("1 min 30 s");
    expect(tickLabel(3_600_000 + 15 * 60_000)).toBe("1 h 15 min");
  });
});

describe("options and formats", () => {
  test("defaults and bad values", () => {
    expect(resolveReportOptions({ now: 5 })).toEqual({ excerptChars: 400, now: 5, taskLimit: 1000 });
    expect(() => resolveReportOptions({ excerptChars: -1 })).toThrow(
      "excerptChars=-1: expected a whole number >= 0",
    );
    expect(() => resolveReportOptions({ now: Number.NaN })).toThrow("now=NaN");
  });

  test("parseReportFormat", () => {
    expect(parseReportFormat("HTML")).toEqual({ ok: true, value: "html" });
    expect(parseReportFormat("pdf")).toEqual({
      ok: false,
      code: "bad_input",
      error: 'unknown report format "pdf": expected one of md, json, html',
    });
  });
});

describe("selectTableTasks", () => {
  test("the first N plus the failed ones after them", () => {
    const tasks = Array.from({ length: 10 }, (_, i) =>
      task({ id: `t${i}`, status: i === 7 ? "failed" : "succeeded" }),
    );
    const sel = selectTableTasks(tasks, 3);
    expect(sel.shown.map((t) => t.id)).toEqual(["t0", "t1", "t2", "t7"]);
    expect(sel.omitted).toBe(6);
    expect(omittedText(sel, "tasks")).toBe(
      "Showing 4 of 10 tasks; 6 left out (the JSON report lists them all).",
    );
    expect(omittedText(selectTableTasks(tasks, 100), "tasks")).toBe("");
  });
});
