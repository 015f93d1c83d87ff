/**
 * The API routes of hosts (`orch host ...`): list, add, show, check, remove. The HostDesk
 * behind them is the daemon's (ApiInfo.hosts).
 */
import { z } from "zod";
import { LOCAL_HOST } from "../hosts/local-host.ts";
import { answer, body, json, problem } from "./api-http.ts";
import type { Route, RouteCall } from "./api-routes.ts";

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;

const addHostBody = z.strictObject({
  // checked by HostDesk.add, whose message names the value
  name: z.string().min(1).max(256),
  dest: z.string().min(1).max(512),
  labels: z
    .record(
      z.string().regex(LABEL_KEY, { error: "expected a label key of letters, digits, '.', '_', '/' or '-'" }),
      z.string().max(256),
    )
    .optional(),
  maxWorkers: z.int().min(1).max(10_000).optional(),
  acceptNew: z.boolean().optional(),
});

function desk(c: RouteCall) {
  return c.info.hosts ?? null;
}

const noHosts = () => problem("unavailable", "this controller has no host support");

export const HOST_ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/v1/hosts",
    handler: (c) => {
      const d = desk(c);
      return d ? json(d.list()) : noHosts();
    },
  },
  {
    method: "POST",
    path: "/v1/hosts",
    handler: async (c) => {
      const d = desk(c);
      if (!d) return noHosts();
      const b = await body(c.req, addHostBody);
      if (!b.ok) return b.error;
      return answer(await d.add(b.value), (h) => h, 201);
    },
  },
  {
    method: "POST",
    path: "/v1/hosts/check",
    handler: async (c) => {
      const d = desk(c);
      return d ? answer(await d.check(), (hs) => hs) : noHosts();
    },
  },
  {
    method: "GET",
    path: "/v1/hosts/:name",
    handler: (c) => {
      const d = desk(c);
      return d ? answer(d.show(c.params.name!), (h) => h) : noHosts();
    },
  },
  {
    method: "POST",
    path: "/v1/hosts/:name/check",
    handler: async (c) => {
      const d = desk(c);
      return d ? answer(await d.check(c.params.name!), (hs) => hs) : noHosts();
    },
  },
  {
    // what `orch attach WORKER` runs for a worker on a host: ssh -t to its tmux, at its pane
    method: "GET",
    path: "/v1/workers/:name/attach",
    handler: (c) => {
      const d = desk(c);
      if (!d) return noHosts();
      const w = c.controller.workers().find((x) => x.worker.name === c.params.name);
      if (!w) return problem("not_found", `no worker named "${c.params.name}"`);
      const { host, paneId } = w.worker;
      if (!paneId) return problem("unavailable", `worker "${c.params.name}" has no pane`);
      const attach = [
        "attach-session",
        "-t",
        paneId,
        ";",
        "select-window",
        "-t",
        paneId,
        ";",
        "select-pane",
        "-t",
        paneId,
      ];
      const argv = host === LOCAL_HOST ? null : d.terminalArgv(host, attach);
      if (host !== LOCAL_HOST && !argv)
        return problem("not_found", `worker "${c.params.name}" is on host ${host}, which is not known`);
      return json({ host, argv });
    },
  },
  {
    method: "DELETE",
    path: "/v1/hosts/:name",
    handler: async (c) => {
      const d = desk(c);
      // ?killWorkers=1: the host's workers are killed first (refused while they live otherwise)
      const kill = c.url.searchParams.get("killWorkers") === "1";
      return d
        ? answer(await d.remove(c.params.name!, kill), (r) => ({ ok: true, name: r.name, killed: r.killed }))
        : noHosts();
    },
  },
];
