import { join } from "node:path";

/** Every file orch keeps under ORCH_HOME. */
export interface OrchPaths {
  home: string;
  db: string;
  config: string;
  tmuxSocket: string;
  tmuxConfig: string;
  apiSocket: string;
  pidFile: string;
  logsDir: string;
  controllerLog: string;
  runDir: string;
  /** The pane-died hook appends here; the controller follows it. */
  tmuxEvents: string;
  workersDir: string;
  /** The git worktrees of workers added with `--worktree`, one folder per worker (0700). */
  worktreesDir: string;
  /** The whole output of each task whose stored output was cut (maxOutputBytes), one file per task (0600). */
  outputsDir: string;
}

/** Lays out ORCH_HOME. */
export function orchPaths(home: string): OrchPaths {
  return {
    home,
    db: join(home, "orch.db"),
    config: join(home, "config.yaml"),
    tmuxSocket: join(home, "tmux.sock"),
    tmuxConfig: join(home, "run", "tmux.conf"),
    apiSocket: join(home, "orch.sock"),
    pidFile: join(home, "run", "controller.pid"),
    logsDir: join(home, "logs"),
    controllerLog: join(home, "logs", "controller.log"),
    runDir: join(home, "run"),
    tmuxEvents: join(home, "run", "tmux-events"),
    workersDir: join(home, "workers"),
    worktreesDir: join(home, "worktrees"),
    outputsDir: join(home, "outputs"),
  };
}

/** The pipe-pane log of one worker. */
export function workerLogPath(paths: OrchPaths, name: string): string {
  return join(paths.logsDir, `${name}.log`);
}

/** The private directory of one worker (seeded files). */
export function workerDataDir(paths: OrchPaths, name: string): string {
  return join(paths.workersDir, name);
}

/** Where the git worktree of a worker added with `--worktree` goes. */
export function workerWorktreePath(paths: OrchPaths, name: string): string {
  return join(paths.worktreesDir, name);
}

/** The file with the whole output of a task whose stored output was cut. */
export function taskOutputPath(paths: Pick<OrchPaths, "outputsDir">, taskId: string): string {
  return join(paths.outputsDir, `${taskId}.out`);
}
