/** `orch doctor [--json]`: what orch needs on this machine, found or not, and how to fix each miss. */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { type DoctorCheck, homeCheck, storeCheck, tmuxCheck } from "../../core/app/doctor/checks.ts";
import { orchPaths } from "../../core/controller/paths.ts";
import { errorMessage } from "../../core/domain/result.ts";
import { openReadonly } from "../../core/runtime/sqlite-connection.ts";
import { type CliContext, selfArgv } from "../context.ts";
import { EXIT } from "../exit-codes.ts";
import { printJson } from "../output.ts";
import { out } from "../stdio.ts";
import { unitPath } from "./service.ts";

/** The agent CLIs doctor looks for, as orch's plugins run them. */
const AGENTS = ["claude", "codex", "gemini", "opencode"];

/** A program's output (stdout and stderr), or null when it cannot be run; 5 s at most. */
function said(argv: string[]): string | null {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: "utf8",
    timeout: 5000,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error || r.status === null) return null;
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
}

function programs(): DoctorCheck[] {
  const tmux = spawnSync("tmux", ["-V"], { encoding: "utf8", timeout: 5000 });
  const checks = [tmuxCheck(tmux.error || tmux.status !== 0 ? null : tmux.stdout)];
  const perl = said(["perl", "-e", "print qq(perl $^V)"]);
  checks.push(
    perl
      ? { name: "perl", status: "ok", detail: perl }
      : {
          name: "perl",
          status: "missing",
          detail: "perl not found on PATH: pane logs are masked through it",
          fix: "install perl (Debian/Ubuntu: apt-get install perl-base), or set mask: false",
        },
  );
  const ssh = said(["ssh", "-V"]);
  checks.push(
    ssh
      ? { name: "ssh", status: "ok", detail: ssh.split("\n")[0]! }
      : {
          name: "ssh",
          status: "warn",
          detail: "ssh not found on PATH: needed only for hosts (orch host add)",
          fix: "install OpenSSH's client (Debian/Ubuntu: apt-get install openssh-client)",
        },
  );
  for (const a of AGENTS) {
    const version = said([a, "--version"]);
    checks.push({
      name: `agent ${a}`,
      status: "info",
      detail: version === null ? "not on PATH" : (version.split("\n")[0] ?? "").slice(0, 100),
    });
  }
  return checks;
}

/** The systemd unit, if one is installed: does it run this orch? */
function service(): DoctorCheck {
  const name = "service";
  const unit = [unitPath("user"), unitPath("system")].find((p) => existsSync(p));
  if (!unit) return { name, status: "info", detail: "no systemd unit (orch service install sets one up)" };
  const exec = /^ExecStart=(\S+)/m.exec(readFileSync(unit, "utf8"))?.[1] ?? "";
  const self = selfArgv()[0]!;
  if (exec !== self)
    return {
      name,
      status: "warn",
      detail: `${unit} runs ${exec || "nothing"}, not this orch (${self})`,
      fix: "orch service install (again), with this orch",
    };
  return { name, status: "ok", detail: `${unit} runs this orch` };
}

/** The store's quick_check (read only: the running controller may be writing it). */
function store(file: string): DoctorCheck {
  if (!existsSync(file)) return storeCheck(file, null);
  try {
    const db = openReadonly(file);
    try {
      const rows = db.query("PRAGMA quick_check(3)").all() as Array<{ quick_check: string }>;
      return storeCheck(
        file,
        rows.flatMap((r) => r.quick_check.split("\n")),
      );
    } finally {
      db.close();
    }
  } catch (e) {
    return storeCheck(file, null, errorMessage(e));
  }
}

async function controller(ctx: CliContext): Promise<DoctorCheck> {
  try {
    const st = await ctx.api.call<{ controller: { pid: number; version: string } }>("GET", "/v1/status");
    return {
      name: "controller",
      status: "ok",
      detail: `running, pid ${st.controller.pid}, orch ${st.controller.version}`,
    };
  } catch (e) {
    return { name: "controller", status: "info", detail: `not running (${errorMessage(e).split("\n")[0]})` };
  }
}

export async function doctorCommand(ctx: CliContext): Promise<number> {
  const paths = orchPaths(ctx.home);
  const st = existsSync(ctx.home) ? statSync(ctx.home) : null;
  const checks: DoctorCheck[] = [
    ...programs(),
    homeCheck(ctx.home, st && { uid: st.uid, mode: st.mode }, process.getuid?.() ?? 0),
    store(paths.db),
    service(),
    await controller(ctx),
  ];
  const ok = !checks.some((c) => c.status === "missing");
  if (ctx.json) printJson({ ok, checks });
  else {
    for (const c of checks) {
      out.line(
        `${c.status === "missing" ? "MISSING" : c.status.padEnd(7)}  ${c.name.padEnd(15)} ${c.detail}`,
      );
      if (c.fix && c.status !== "ok") out.line(`${" ".repeat(26)}fix: ${c.fix}`);
    }
    out.line(ok ? "orch has what it needs here" : "something orch needs is missing (MISSING above)");
  }
  return ok ? EXIT.ok : EXIT.taskFailed;
}
