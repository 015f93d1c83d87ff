import type { TmuxHosts } from "./tmux-hosts.ts";
import type { WorkerRuntime } from "./worker-runtime.ts";

/**
 * The health pass's responsiveness check: types the plugin's probe into an idle worker
 * (nothing is dispatched meanwhile); resolves with the ms the answer took, `false` when none
 * came within its time, or null when the worker was not probed (no probe, or not idle). The
 * answer is matched in the pane's output by {@link probeOutput}.
 */
export async function probeWorker(
  rt: WorkerRuntime | undefined,
  hosts: Pick<TmuxHosts, "of">,
): Promise<number | false | null> {
  const spec = rt?.plugin.probe;
  if (!rt || !spec || rt.phase !== "ready" || rt.currentTaskId || !rt.paneId) return null;
  const host = hosts.of(rt);
  rt.phase = "busy";
  rt.resetReady();
  const sent = Date.now();
  const answered = new Promise<boolean>((res) => {
    rt.probe = { expect: spec.expect, seen: "", answered: res };
  });
  const timer = setTimeout(() => rt.probe?.answered(false), spec.timeoutMs ?? 5000);
  try {
    if (spec.clearKeys?.length) await host.ops.sendKeys(rt.paneId, spec.clearKeys);
    await host.ops.sendText(rt.paneId, spec.text);
    await host.ops.sendKeys(rt.paneId, ["Enter"]);
  } catch {
    rt.probe?.answered(false);
  }
  const ok = await answered;
  clearTimeout(timer);
  if (!ok && rt.probe) {
    rt.probe = null;
    if (rt.phase === "busy") rt.phase = "settling"; // a late prompt still makes it ready
  }
  return ok ? Date.now() - sent : false;
}

/**
 * Output of a worker with a probe out: null while its answer has not shown; once it has, the
 * worker settles and what came after the answer (the prompt that makes it ready) is returned.
 */
export function probeOutput(rt: WorkerRuntime, text: string): string | null {
  const probe = rt.probe;
  if (!probe) return text;
  probe.seen = (probe.seen + text).slice(-4096);
  const m = probe.expect.exec(probe.seen);
  if (!m) return null;
  rt.probe = null;
  rt.phase = "settling";
  probe.answered(true);
  return probe.seen.slice(m.index + m[0].length);
}
