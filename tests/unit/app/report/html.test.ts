import { describe, expect, test } from "bun:test";
import { renderReport } from "../../../../src/core/app/report/index.ts";
import { emptyRun, NOW, smallRun, T0, task, unfinishedRun } from "./fixtures.ts";

/** The `<svg>...</svg>` part of a page. */
function svgOf(html: string): string {
  const start = html.indexOf("<svg");
  return html.slice(start, html.indexOf("</svg>", start) + 6);
}

/** The lane labels of a timeline, in order. */
function laneLabels(svg: string): string[] {
  return [...svg.matchAll(/<text class="lane-label[^"]*"[^>]*><title>[^<]*<\/title>([^<]*)<\/text>/g)].map(
    (m) => m[1]!,
  );
}

describe("html report", () => {
  const html = renderReport(smallRun(), "html", { now: NOW });

  test("is one self-contained page: inline style, no scripts, nothing from the network", () => {
    expect(html.startsWith("<!doctype html>\n")).toBe(true);
    expect(html.endsWith("</html>\n")).toBe(true);
    expect(html).toContain("<style>");
    expect(html).not.toContain("http");
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/\b(src|href)=/);
  });

  test("escapes every text from the run", () => {
    expect(html).toContain("<title>Run report: nightly &lt;build&gt;</title>");
    expect(html).toContain("&lt;/pre&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    expect(html).toContain("<pre>\nexit 2 | &lt;bad&gt;</pre>");
    expect(html).not.toContain("<bad>");
    expect(html).not.toContain("<build>");
  });

  test("a timeline with one lane per worker, the unassigned lane last", () => {
    const svg = svgOf(html);
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(laneLabels(svg)).toEqual(["alpha", "beta", "gamma", "unassigned"]);
    expect(svg.match(/<rect class="lane"/g)).toHaveLength(4);
    expect(svg).toContain('class="bar s-failed"');
    expect(svg).toContain('class="bar queued-mark s-cancelled"');
    expect(svg).toContain("<title>task t3 · step test · project /src/app · failed · 3 min 45 s</title>");
    expect(svg).toContain(">0 s</text>");
    expect(svg).toContain(">4 min</text>");
  });

  test("bars span from start to finish on a 960-wide plot after the labels", () => {
    const svg = svgOf(html);
    // t3 runs from 20 s to the end (245 s) of a 245 s axis.
    const t3 = svg.match(/<rect class="bar s-failed" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/)!;
    expect(Number(t3[1])).toBeCloseTo(150 + (20 / 245) * 960, 0);
    expect(Number(t3[1]) + Number(t3[2])).toBeCloseTo(150 + 960, 0);
  });

  test("the tables and the failed tasks", () => {
    const tasksTable = html.split("<h2>Tasks</h2>")[1]!.split("</table>")[0]!;
    expect(tasksTable.match(/<tr><td>/g)).toHaveLength(4);
    const stepsTable = html.split("<h2>Steps</h2>")[1]!.split("</table>")[0]!;
    expect(stepsTable.match(/<tr><td>/g)).toHaveLength(2);
    expect(html).toContain("<h2>Failed tasks</h2>");
    expect(html.match(/<section class="failed">/g)).toHaveLength(1);
    expect(html).toContain("<dt>Wall time</dt><dd>4 min 05 s</dd>");
  });

  test("an unfinished run: running bars reach now, queued tasks are marks", () => {
    const out = renderReport(unfinishedRun(), "html", { now: NOW });
    expect(out).toContain("<dd>— (still running)</dd>");
    expect(out).toContain("<dd>1 min 00 s so far</dd>");
    const svg = svgOf(out);
    const running = svg.match(/<rect class="bar s-running" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/)!;
    expect(Number(running[1]) + Number(running[2])).toBeCloseTo(150 + 960, 0);
    expect(svg).toContain('class="bar queued-mark s-queued"');
    expect(laneLabels(svg)).toEqual(["alpha", "beta", "unassigned"]);
    expect(out).not.toContain("Failed tasks");
  });

  test("an empty run still renders, with an empty timeline", () => {
    const out = renderReport(emptyRun(), "html", { now: NOW });
    expect(svgOf(out)).toContain("No tasks.");
    expect(out).toContain('<p class="muted">No steps.</p>');
    expect(out).toContain('<p class="muted">No tasks.</p>');
    expect(out).not.toContain("http");
  });

  test("10,000 tasks stay a reasonable size: the table is capped, every lane kept", () => {
    const run = emptyRun();
    run.finishedAt = T0 + 3_600_000;
    run.tasks = Array.from({ length: 10_000 }, (_, i) =>
      task({
        id: `task-${i}`,
        worker: `w${i % 20}`,
        status: i % 1000 === 999 ? "failed" : "succeeded",
        startedAt: T0 + i * 300,
        finishedAt: T0 + i * 300 + 250,
        output: "x".repeat(5000),
      }),
    );
    const out = renderReport(run, "html", { now: NOW });
    expect(out.length).toBeLessThan(5_000_000);
    expect(laneLabels(svgOf(out))).toHaveLength(20);
    const tasksTable = out.split("<h2>Tasks</h2>")[1]!.split("</table>")[0]!;
    expect(tasksTable.match(/<tr><td>/g)).toHaveLength(1000 + 9);
    expect(out).toContain("Showing 1,009 of 10,000 tasks; 8,991 left out");
    expect(out.match(/<section class="failed">/g)).toHaveLength(10);
  });
});
