/** Fake `/proc` trees for the proc-tree tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fake process: its stat fields in the kernel's units (ticks, pages). */
export interface FakeProc {
  pid: number;
  comm: string;
  ppid: number;
  utime: number;
  stime: number;
  rss: number;
}

/** A 52-field `/proc/PID/stat` line; fields not given are filler numbers. */
export function statLine(p: FakeProc): string {
  const fields = Array.from({ length: 52 }, (_, i) => String(i + 1000));
  fields[0] = String(p.pid);
  fields[1] = `(${p.comm})`;
  fields[2] = "S";
  fields[3] = String(p.ppid);
  fields[13] = String(p.utime);
  fields[14] = String(p.stime);
  fields[23] = String(p.rss);
  return `${fields.join(" ")}\n`;
}

/** A temp folder laid out like `/proc`; `cleanup` removes it. */
export function fakeProcRoot(): { root: string; add(p: FakeProc): void; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), "orch-fake-proc-"));
  return {
    root,
    add(p) {
      mkdirSync(join(root, String(p.pid)), { recursive: true });
      writeFileSync(join(root, String(p.pid), "stat"), statLine(p));
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
