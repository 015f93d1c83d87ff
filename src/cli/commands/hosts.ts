import type { HostJson } from "../../core/hosts/host-desk.ts";
import { segment } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { CliError, EXIT } from "../exit-codes.ts";
import { parseLabels } from "../labels.ts";
import { printJson, printTable } from "../output.ts";
import { err, out } from "../stdio.ts";

/** What `orch host ACTION` was given on its command line. */
export interface HostArgs {
  action: string;
  name?: string;
  dest?: string;
  labels: string[];
  maxWorkers?: number;
  acceptNew: boolean;
  /** host remove: kill the host's workers first. */
  killWorkers?: boolean;
}

/** "3 ms", "1.2 s ago" style figures for the host table. */
function age(iso: string | null): string {
  if (!iso) return "never";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 1 ? "now" : s < 120 ? `${Math.round(s)} s ago` : `${Math.round(s / 60)} min ago`;
}

function labelText(labels: Record<string, string>): string {
  const all = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return all.length ? all.join(",") : "-";
}

/** The hosts as a table: state, round trip, last seen, workers and limit, labels. */
export function printHosts(hosts: HostJson[]): void {
  printTable(
    ["NAME", "STATE", "RTT", "SEEN", "WORKERS", "LABELS", "DEST"],
    hosts.map((h) => [
      h.name,
      h.error && h.state !== "online" ? `${h.state} (${h.error})` : h.state,
      h.rttMs === null ? "-" : `${h.rttMs} ms`,
      h.name === "local" ? "-" : age(h.lastSeenAt),
      `${h.workers}/${h.maxWorkers}`,
      labelText(h.labels),
      h.dest,
    ]),
  );
}

function printOne(h: HostJson): void {
  out.line(`${h.name}: ${h.state}${h.error ? ` (${h.error})` : ""}`);
  out.line(`  dest:     ${h.dest}`);
  if (h.name !== "local")
    out.line(`  rtt:      ${h.rttMs === null ? "-" : `${h.rttMs} ms`}, last seen ${age(h.lastSeenAt)}`);
  out.line(`  workers:  ${h.workers} of at most ${h.maxWorkers}`);
  out.line(`  labels:   ${labelText(h.labels)}`);
  if (h.name !== "local") {
    out.line(`  tmux:     ${h.tmux ?? "none"}; os: ${h.os ?? "?"}`);
    out.line(`  agents:   ${h.agents.length ? h.agents.join(", ") : "none found on its PATH"}`);
  }
  for (const p of h.problems) out.line(`  problem:  ${p}`);
}

/** `orch host add | list | show | check | remove`. */
export async function hostCommand(ctx: CliContext, a: HostArgs): Promise<number> {
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new CliError(`host ${a.action} needs ${what}`, EXIT.usage);
    return v;
  };
  switch (a.action) {
    case "add": {
      const name = need(a.name, "NAME and DEST");
      const dest = need(a.dest, "DEST (an ssh alias, user@host or ssh://user@host:port)");
      const body = {
        name,
        dest,
        labels: parseLabels(a.labels),
        ...(a.maxWorkers !== undefined ? { maxWorkers: a.maxWorkers } : {}),
        ...(a.acceptNew ? { acceptNew: true } : {}),
      };
      if (!ctx.json) err.line(`checking ${dest} over ssh ...`);
      const h = await ctx.api.call<HostJson>("POST", "/v1/hosts", body);
      if (ctx.json) printJson(h);
      else printOne(h);
      return EXIT.ok;
    }
    case "list": {
      const hosts = await ctx.api.call<HostJson[]>("GET", "/v1/hosts");
      if (ctx.json) printJson(hosts);
      else printHosts(hosts);
      return EXIT.ok;
    }
    case "show": {
      const h = await ctx.api.call<HostJson>(
        "GET",
        `/v1/hosts/${segment(need(a.name, "NAME"), "host", "a host name")}`,
      );
      if (ctx.json) printJson(h);
      else printOne(h);
      return EXIT.ok;
    }
    case "check": {
      const path = a.name ? `/v1/hosts/${segment(a.name, "host", "a host name")}/check` : "/v1/hosts/check";
      const hosts = await ctx.api.call<HostJson[]>("POST", path);
      if (ctx.json) printJson(hosts);
      else printHosts(hosts);
      const sick = hosts.filter((h) => h.state === "offline" || h.problems.length > 0);
      for (const h of sick)
        err.line(
          `host ${h.name}: ${h.state}${h.error ? ` (${h.error})` : ""}${h.problems.map((p) => `; ${p}`).join("")}`,
        );
      return sick.length ? EXIT.taskFailed : EXIT.ok;
    }
    case "remove": {
      const name = need(a.name, "NAME");
      const r = await ctx.api.call<{ ok: boolean; name: string; killed: string[] }>(
        "DELETE",
        `/v1/hosts/${segment(name, "host", "a host name")}${a.killWorkers ? "?killWorkers=1" : ""}`,
      );
      if (ctx.json) printJson(r);
      else
        out.line(
          `removed host ${r.name}${r.killed.length ? ` (workers killed: ${r.killed.join(", ")})` : ""}`,
        );
      return EXIT.ok;
    }
    default:
      throw new CliError(
        `unknown host action "${a.action}": expected add, list, show, check or remove`,
        EXIT.usage,
      );
  }
}
