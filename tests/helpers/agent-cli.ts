/**
 * The real agent CLIs for the e2e and contract tests: install the pinned (or, with ORCH_AGENT_VERSIONS=latest, the newest) version once into a
 * shared cache, and build the throwaway-HOME environment that runs it offline against the fake
 * model API (tests/helpers/fake-model-api.ts).
 *
 * Cache layout: `${ORCH_AGENT_CACHE ?? ~/.cache/orch-e2e}/<kind>-<version>/` holds a plain
 * `npm install --prefix` tree plus a `.orch-complete` marker. Installs go into a sibling temp
 * directory that is renamed into place, under a `mkdir` lock, so test files racing each other
 * (or a killed install) never leave a half-installed tree behind.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

export type AgentKind = "claude" | "codex";

export const AGENT_PINS: Record<AgentKind, { pkg: string; version: string; bin: string }> = {
  claude: { pkg: "@anthropic-ai/claude-code", version: "2.1.332", bin: "claude" },
  codex: { pkg: "@openai/codex", version: "0.171.0", bin: "codex" },
};

const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const chosen = new Map<AgentKind, string>();

/**
 * The version of `kind` the tests run: the pin by default; with `ORCH_AGENT_VERSIONS=latest`
 * the newest the npm registry serves (`npm view PKG version`, asked once per process);
 * `ORCH_AGENT_VERSIONS=claude=2.1.332,codex=latest` picks per kind (a kind not named keeps its pin).
 *
 * @example
 * // ORCH_AGENT_VERSIONS=latest bun test tests/e2e/claude.test.ts
 * agentVersion("claude"); // "2.1.332"
 */
export function agentVersion(kind: AgentKind): string {
  const known = chosen.get(kind);
  if (known) return known;
  const want = requestedVersion(kind, process.env.ORCH_AGENT_VERSIONS ?? "");
  const version = want === "latest" ? latestVersion(kind) : want;
  chosen.set(kind, version);
  return version;
}

/** What ORCH_AGENT_VERSIONS asks for `kind`: "latest", an exact version, or the pin. */
export function requestedVersion(kind: AgentKind, spec: string): string {
  const s = spec.trim();
  if (s === "" || s === "pinned") return AGENT_PINS[kind].version;
  if (s === "latest") return "latest";
  for (const part of s.split(",")) {
    const [k, v] = part.split("=").map((x) => x.trim());
    if (k !== "claude" && k !== "codex") {
      throw new Error(
        `ORCH_AGENT_VERSIONS: "${part}" names no agent kind; expected latest, pinned or claude=VERSION,codex=VERSION`,
      );
    }
    if (k !== kind) continue;
    if (v === "latest" || v === "pinned") return v === "latest" ? "latest" : AGENT_PINS[kind].version;
    if (!v || !VERSION_RE.test(v)) {
      throw new Error(
        `ORCH_AGENT_VERSIONS: "${part}" has no version; expected e.g. ${kind}=${AGENT_PINS[kind].version}`,
      );
    }
    return v;
  }
  return AGENT_PINS[kind].version;
}

function latestVersion(kind: AgentKind): string {
  const pkg = AGENT_PINS[kind].pkg;
  const r = spawnSync("npm", ["view", pkg, "version"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  const v = (r.stdout ?? "").trim();
  if (r.status !== 0 || !VERSION_RE.test(v)) {
    throw new Error(
      `ORCH_AGENT_VERSIONS=latest: 'npm view ${pkg} version' gave status ${r.status} and "${v}" (${tail(r.stderr ?? "", 5)})`,
    );
  }
  return v;
}

/** A fake key: claude only checks its shape and its last 20 characters against ~/.claude.json. */
export const FAKE_ANTHROPIC_KEY = "sk-ant-test-0000000000000000000000000000";
export const FAKE_OPENAI_KEY = "sk-test-0000000000000000000000000000";
/** The model name codex is configured with (the fake API answers any model). */
/**
 * The model codex is configured with (the fake API answers any model). It must be in codex's
 * built-in catalog (else a "Model metadata ... not found" warning) and use the classic function
 * tools: gpt-6-* switch to "responses-lite" with a JavaScript `exec` code-mode tool. gpt-5.5 has
 * an upgrade notice, shown as a "Meet GPT-6 Sol" modal at TUI start unless
 * `[notice.model_migrations]` records it as seen.
 */
export const CODEX_MODEL = "gpt-5.5";
export const CODEX_MODEL_UPGRADE = "gpt-6-sol";

const COMPLETE_MARKER = ".orch-complete";
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const LOCK_STALE_MS = INSTALL_TIMEOUT_MS + 60_000;

export function agentCacheRoot(): string {
  return process.env.ORCH_AGENT_CACHE ?? join(homedir(), ".cache", "orch-e2e");
}

export function agentCacheDir(kind: AgentKind): string {
  return join(agentCacheRoot(), `${kind}-${agentVersion(kind)}`);
}

const pending = new Map<AgentKind, Promise<string>>();

/**
 * The absolute path of a runnable `claude` / `codex` executable of {@link agentVersion},
 * installing it into the cache first when needed. Checked with `--version` before returning.
 */
export function ensureAgentCli(kind: AgentKind): Promise<string> {
  let p = pending.get(kind);
  if (!p) {
    p = ensure(kind);
    pending.set(kind, p);
    p.catch(() => pending.delete(kind));
  }
  return p;
}

async function ensure(kind: AgentKind): Promise<string> {
  const dir = agentCacheDir(kind);
  const ready = usable(kind, dir);
  if (ready) return ready;

  mkdirSync(agentCacheRoot(), { recursive: true });
  const release = await lock(`${dir}.lock`);
  try {
    // Someone else may have finished while we waited for the lock.
    const done = usable(kind, dir);
    if (done) return done;
    rmSync(dir, { recursive: true, force: true });
    // Leftovers of installs that were killed: we hold the lock, nobody else is installing this.
    const base = `${kind}-${agentVersion(kind)}.tmp-`;
    for (const n of readdirSync(agentCacheRoot())) {
      if (n.startsWith(base)) rmSync(join(agentCacheRoot(), n), { recursive: true, force: true });
    }
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(tmp, { recursive: true });
    try {
      await npmInstall(kind, tmp);
      const bin = findExecutable(kind, tmp);
      checkVersion(kind, bin);
      writeFileSync(join(tmp, COMPLETE_MARKER), `${AGENT_PINS[kind].pkg}@${agentVersion(kind)}\n`);
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    const bin = findExecutable(kind, dir);
    checkVersion(kind, bin);
    return bin;
  } finally {
    release();
  }
}

/** The executable when `dir` holds a complete install that answers `--version`, else null. */
function usable(kind: AgentKind, dir: string): string | null {
  if (!existsSync(join(dir, COMPLETE_MARKER))) return null;
  try {
    const bin = findExecutable(kind, dir);
    checkVersion(kind, bin);
    return bin;
  } catch {
    return null;
  }
}

/**
 * The real executable inside an install tree: the platform package's native binary. For
 * claude, `node_modules/.bin/claude` -> `claude-code/bin/claude.exe` is a hard link to the same
 * binary made by the package's postinstall (absent when scripts are disabled); for codex,
 * `bin/codex.js` is a node wrapper. `node_modules/.bin/<bin>` is the fallback for both.
 */
export function findExecutable(kind: AgentKind, dir: string): string {
  const nm = join(dir, "node_modules");
  const candidates: string[] = [];
  if (kind === "claude") {
    const scope = join(nm, "@anthropic-ai");
    if (existsSync(scope)) {
      const platform = `${process.platform}-${process.arch === "x64" ? "x64" : process.arch}`;
      const pkgs = readdirSync(scope)
        .filter((n) => n.startsWith("claude-code-"))
        // the exact platform package first, e.g. claude-code-linux-x64 before ...-linux-x64-musl
        .sort((a, b) => Number(b === `claude-code-${platform}`) - Number(a === `claude-code-${platform}`));
      for (const p of pkgs) {
        candidates.push(join(scope, p, "claude"), join(scope, p, "bin", "claude"));
      }
    }
  }
  if (kind === "codex") {
    // bin/codex.js is a node wrapper that (on node < 22.15) spawns the native binary as a child:
    // run the native binary itself so the pid a test kills is the agent's.
    const arch = process.arch === "arm64" ? "aarch64" : "x86_64";
    const triple = process.platform === "darwin" ? `${arch}-apple-darwin` : `${arch}-unknown-linux-musl`;
    const pkg = `codex-${process.platform}-${process.arch}`;
    candidates.push(
      join(nm, "@openai", pkg, "vendor", triple, "bin", "codex"),
      join(nm, "@openai", "codex", "vendor", triple, "bin", "codex"),
    );
  }
  candidates.push(join(nm, ".bin", AGENT_PINS[kind].bin));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return realpathSync(c);
    } catch {
      // not there
    }
  }
  throw new Error(
    `${kind}: no executable found in ${dir} (looked at ${candidates.map((c) => c.slice(dir.length + 1)).join(", ")})`,
  );
}

function checkVersion(kind: AgentKind, bin: string): void {
  // A throwaway HOME: the CLIs may write config or caches even for --version.
  const home = join(tmpdir(), `orch-agent-version-${process.pid}-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  try {
    const r = spawnSync(bin, ["--version"], {
      encoding: "utf8",
      timeout: 60_000,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        TMPDIR: home,
        DISABLE_AUTOUPDATER: "1",
        DISABLE_TELEMETRY: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
    });
    const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    if (r.error || r.status !== 0 || !out.includes(agentVersion(kind))) {
      throw new Error(
        `${kind}: '${bin} --version' failed (status ${r.status}${r.signal ? `, signal ${r.signal}` : ""}${
          r.error ? `, ${r.error.message}` : ""
        }), expected version ${agentVersion(kind)}, output: ${tail(out)}`,
      );
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

async function npmInstall(kind: AgentKind, prefix: string): Promise<void> {
  const spec = `${AGENT_PINS[kind].pkg}@${agentVersion(kind)}`;
  const argv = ["npm", "install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", spec];
  const proc = Bun.spawn(argv, {
    cwd: prefix,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, npm_config_update_notifier: "false", npm_config_loglevel: "warn" },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  if (code !== 0) {
    throw new Error(
      `${kind}: '${argv.join(" ")}' exited with ${code}${proc.signalCode ? ` (${proc.signalCode})` : ""}; stderr tail:\n${tail(
        stderr || stdout,
      )}`,
    );
  }
}

/** A cross-process lock: `mkdir` is atomic. A lock whose owner is dead or that is too old is broken. */
async function lock(path: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_STALE_MS + 60_000;
  for (;;) {
    try {
      mkdirSync(path);
      writeFileSync(join(path, "owner"), `${process.pid}\n`);
      return () => rmSync(path, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (lockIsStale(path)) {
      rmSync(path, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the install lock ${path}`);
    await Bun.sleep(250);
  }
}

function lockIsStale(path: string): boolean {
  try {
    const st = statSync(path);
    if (Date.now() - st.mtimeMs > LOCK_STALE_MS) return true;
    const pid = Number.parseInt(readFileSync(join(path, "owner"), "utf8"), 10);
    if (!Number.isFinite(pid)) return Date.now() - st.mtimeMs > 10_000; // owner file not written yet
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "ESRCH";
    }
  } catch {
    return false;
  }
}

function tail(s: string, lines = 25): string {
  return s.trimEnd().split("\n").slice(-lines).join("\n");
}

export interface AgentEnvOptions {
  /** The throwaway HOME (must exist or be creatable; the caller writes `files` into it). */
  home: string;
  /** The fake model API's port on 127.0.0.1. */
  port: number;
  /** The absolute project directory the agent runs in: trusted up front. */
  project: string;
  /** TMPDIR for the agent; defaults to `<home>/tmp` (the caller creates it). */
  tmpdir?: string;
}

export interface AgentEnv {
  /** The complete environment for the agent process (not to be merged with process.env). */
  env: Record<string, string>;
  /** Config files to write before starting the agent (absolute paths, under `home`). */
  files: { path: string; content: string }[];
}

/**
 * The environment and seeded config that run `kind` offline against the fake API at
 * 127.0.0.1:`port`, without onboarding, trust or API-key screens.
 */
export function agentEnv(kind: AgentKind, opts: AgentEnvOptions): AgentEnv {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: opts.home,
    TMPDIR: opts.tmpdir ?? join(opts.home, "tmp"),
    USER: process.env.USER ?? "root",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    TERM: "xterm-256color",
    XDG_CONFIG_HOME: join(opts.home, ".config"),
    XDG_CACHE_HOME: join(opts.home, ".cache"),
    XDG_DATA_HOME: join(opts.home, ".local", "share"),
    XDG_STATE_HOME: join(opts.home, ".local", "state"),
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
  };
  if (kind === "claude") {
    const claudeJson = {
      hasCompletedOnboarding: true,
      lastOnboardingVersion: agentVersion("claude"),
      theme: "dark",
      customApiKeyResponses: { approved: [FAKE_ANTHROPIC_KEY.slice(-20)], rejected: [] },
      projects: {
        [opts.project]: {
          hasTrustDialogAccepted: true,
          hasCompletedProjectOnboarding: true,
          allowedTools: [],
        },
      },
    };
    const settings = { skipDangerousModePermissionPrompt: true };
    return {
      env: { ...base, ...claudeOfflineEnv(opts.port) },
      files: [
        { path: join(opts.home, ".claude.json"), content: `${JSON.stringify(claudeJson, null, 2)}\n` },
        {
          path: join(opts.home, ".claude", "settings.json"),
          content: `${JSON.stringify(settings, null, 2)}\n`,
        },
      ],
    };
  }
  const toml = [
    `model = "${CODEX_MODEL}"`,
    `model_provider = "fake"`,
    "check_for_update_on_startup = false",
    "",
    "[model_providers.fake]",
    `name = "fake"`,
    `base_url = "http://127.0.0.1:${opts.port}/v1"`,
    `env_key = "OPENAI_API_KEY"`,
    `wire_api = "responses"`,
    "supports_websockets = false",
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
    "[analytics]",
    "enabled = false",
    "",
    "[notice]",
    "hide_rate_limit_model_nudge = true",
    "",
    "[notice.model_migrations]",
    `"${CODEX_MODEL}" = "${CODEX_MODEL_UPGRADE}"`,
    "",
    `[projects.${JSON.stringify(opts.project)}]`,
    `trust_level = "trusted"`,
    "",
  ].join("\n");
  return {
    env: { ...base, OPENAI_API_KEY: FAKE_OPENAI_KEY, CODEX_HOME: join(opts.home, ".codex") },
    files: [{ path: join(opts.home, ".codex", "config.toml"), content: toml }],
  };
}

/** Writes `files` (creating parent directories) and the TMPDIR of `env`. */
export function writeAgentFiles(a: AgentEnv): void {
  for (const f of a.files) {
    mkdirSync(join(f.path, ".."), { recursive: true });
    writeFileSync(f.path, f.content);
  }
  if (a.env.TMPDIR) mkdirSync(a.env.TMPDIR, { recursive: true });
}

/**
 * Pids of the processes whose environment has `HOME=<home>`: the agent and whatever it left
 * behind (codex's TUI starts a `codex app-server` daemon, in its own session, that outlives it).
 */
export function processesWithHome(home: string): number[] {
  const needle = Buffer.from(`\0HOME=${home}\0`);
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const env = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (env.includes(needle)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** SIGTERM, then SIGKILL after `graceMs`, every process started with HOME=`home` (by pid). */
export async function killAgentProcesses(home: string, graceMs = 2000): Promise<number[]> {
  const pids = processesWithHome(home);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  let alive = pids;
  while (alive.length && Date.now() < deadline) {
    await Bun.sleep(50);
    alive = alive.filter((pid) => isAlive(pid));
  }
  for (const pid of alive) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    // a zombie still answers kill(0): look at its state
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/**
 * The environment of a controller whose `claude` / `gpt` workers run `cli` offline against the
 * fake API on 127.0.0.1:`port`, with `home` as the agents' HOME. Unlike {@link agentEnv}, the
 * agent's trust and onboarding are left for orch to seed; for codex, the user's own
 * config.toml (the fake provider, nothing about orch's projects) is written, as a user has it.
 * Returns the env and, for codex, that config file's path.
 */
export function orchAgentEnv(
  kind: AgentKind,
  o: { home: string; port: number; cli: string },
): { env: Record<string, string>; configFile: string | null } {
  mkdirSync(join(o.home, "tmp"), { recursive: true });
  if (kind === "claude") {
    return {
      env: {
        HOME: o.home,
        TMPDIR: join(o.home, "tmp"),
        ...claudeOfflineEnv(o.port),
        ORCH_CLAUDE_COMMAND: o.cli,
      },
      configFile: null,
    };
  }
  const a = agentEnv("codex", { home: o.home, port: o.port, project: "/elsewhere" });
  writeAgentFiles(a);
  const { PATH: _path, ...env } = a.env;
  return { env: { ...env, ORCH_CODEX_COMMAND: o.cli }, configFile: a.files[0]?.path ?? null };
}

/** What Claude Code needs to talk only to the fake API on 127.0.0.1:`port` (and to run as root). */
export function claudeOfflineEnv(port: number): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
    ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY,
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    IS_SANDBOX: "1",
  };
}
