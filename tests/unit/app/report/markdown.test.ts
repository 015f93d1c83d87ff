import { describe, expect, test } from "bun:test";
import { renderReport } from "../../../../src/core/app/report/index.ts";
import { emptyRun, NOW, smallRun, unfinishedRun } from "./fixtures.ts";

/** The table lines under a `## heading`, header and separator included. */
function tableUnder(md: string, heading: string): string[] {
  const after = md.split(`## ${heading}\n\n`)[1] ?? "";
  const lines: string[] = [];
  for (const line of after.split("\n")) {
    if (!line.startsWith("|")) break;
    lines.push(line);
  }
  return lines;
}

describe("markdown report", () => {
  const md = renderReport(smallRun(), "md", { now: NOW });

  test("title and summary", () => {
    expect(md.startsWith("# Run report: nightly &lt;build>\n")).toBe(true);
    expect(md).toContain("- **Run id:** run-1");
    expect(md).toContain("- **Status:** failed");
    expect(md).toContain("- **Started:** 2025-01-01T00:00:00.000Z");
    expect(md).toContain("- **Finished:** 2025-01-01T00:04:05.000Z");
    expect(md).toContain("- **Wall time:** 4 min 05 s");
    expect(md).toContain("- **Tasks:** 4 (2 succeeded, 1 failed, 1 cancelled)");
    expect(md.endsWith("\n")).toBe(true);
  });

  test("the tables have one row per step and per task, with escaped cells", () => {
    const steps = tableUnder(md, "Steps");
    expect(steps).toHaveLength(2 + 2);
    expect(steps[3]).toBe("| test | failed | task t3 failed \\| exit 2<br>see log |");
    const tasks = tableUnder(md, "Tasks");
    expect(tasks).toHaveLength(2 + 4);
    expect(tasks[0]).toBe("| Task | Step | Project | Worker | Status | Attempts | Duration | Exit code |");
    expect(tasks[4]).toBe("| t3 | test | /src/app | gamma | failed | 2 | 3 min 45 s | 2 |");
    expect(tasks[5]).toBe("| t4 | test | /src/app | — | cancelled | 1 | — | — |");
    for (const line of tasks) expect(line.split(/(?<!\\)\|/).length).toBe(10);
  });

  test("a failed task's error and output sit in fences longer than their backtick runs", () => {
    expect(md).toContain("## Failed tasks\n\n### Task t3 (step test, project /src/app)");
    expect(md).toContain("```text\nexit 2 | <bad>\n```");
    expect(md).toContain("`````text\ncompiling a|b\n```js\nboom()\n````\n</pre><script>");
    expect(md).not.toContain("### Task t4");
  });

  test("the excerpt keeps the end of the output", () => {
    const short = renderReport(smallRun(), "md", { now: NOW, excerptChars: 10 });
    expect(short).toContain('```text\n…pt> & "q"\n```');
  });

  test("an unfinished run says so", () => {
    const out = renderReport(unfinishedRun(), "md", { now: NOW });
    expect(out).toContain("- **Finished:** — (still running)");
    expect(out).toContain("- **Wall time:** 1 min 00 s so far");
    expect(tableUnder(out, "Tasks")[3]).toContain("| running | 1 | 55.0 s so far | — |");
    expect(out).not.toContain("## Failed tasks");
  });

  test("an empty run", () => {
    const out = renderReport(emptyRun(), "md", { now: NOW });
    expect(out).toContain("## Steps\n\nNo steps.");
    expect(out).toContain("## Tasks\n\nNo tasks.");
    expect(out).toContain("- **Task durations:** — (no task finished)");
  });

  test("a long run lists the first tasks and the failed ones, and says how many are left out", () => {
    const run = smallRun();
    const out = renderReport(run, "md", { now: NOW, taskLimit: 1 });
    expect(tableUnder(out, "Tasks")).toHaveLength(2 + 2);
    expect(out).toContain("Showing 2 of 4 tasks; 2 left out");
  });
});
