/**
 * The commands' implementations, each loaded when its command runs: `orch --help` (and every
 * command) evaluates only the modules it uses, so the binary starts in a few milliseconds.
 */

/** A function of a module that is imported on the first call. */
// biome-ignore lint/suspicious/noExplicitAny: any function's parameters pass through unchanged
type AnyFn = (...args: any[]) => unknown;

function lazy<M extends Record<K, AnyFn>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
): (...args: Parameters<M[K]>) => Promise<unknown> {
  return async (...args) => (await load())[name](...args);
}

export const doctorCommand = lazy(() => import("./commands/doctor.ts"), "doctorCommand");
const eventsModule = () => import("./commands/events.ts");
export const eventsCommand = lazy(eventsModule, "eventsCommand");
const healthModule = () => import("./commands/health.ts");
export const healthCheckCommand = lazy(healthModule, "healthCheckCommand");
const hookModule = () => import("./commands/hook.ts");
export const hookCommand = lazy(hookModule, "hookCommand");
const lifecycleModule = () => import("./commands/lifecycle.ts");
export const startCommand = lazy(lifecycleModule, "startCommand");
export const stopCommand = lazy(lifecycleModule, "stopCommand");
export const logsCommand = lazy(() => import("./commands/logs.ts"), "logsCommand");
const pluginsModule = () => import("./commands/plugins.ts");
export const pluginAddCommand = lazy(pluginsModule, "pluginAddCommand");
export const pluginListCommand = lazy(pluginsModule, "pluginListCommand");
export const pluginRemoveCommand = lazy(pluginsModule, "pluginRemoveCommand");
export const pluginShowCommand = lazy(pluginsModule, "pluginShowCommand");
export const pluginTestCommand = lazy(() => import("./commands/plugin-test.ts"), "pluginTestCommand");
const runModule = () => import("./commands/run.ts");
export const runCommand = lazy(runModule, "runCommand");
const runsModule = () => import("./commands/runs.ts");
export const cancelCommand = lazy(runsModule, "cancelCommand");
export const reportCommand = lazy(runsModule, "reportCommand");
export const runsCommand = lazy(runsModule, "runsCommand");
const serviceModule = () => import("./commands/service.ts");
export const serviceCommand = lazy(serviceModule, "serviceCommand");
const stateModule = () => import("./commands/state.ts");
export const backupCommand = lazy(stateModule, "backupCommand");
export const exportStateCommand = lazy(stateModule, "exportStateCommand");
export const restoreCommand = lazy(stateModule, "restoreCommand");
const submitModule = () => import("./commands/submit.ts");
export const submitCommand = lazy(submitModule, "submitCommand");
const tasksModule = () => import("./commands/tasks.ts");
export const resultsCommand = lazy(tasksModule, "resultsCommand");
export const sendCommand = lazy(tasksModule, "sendCommand");
export const taskCommand = lazy(tasksModule, "taskCommand");
export const pruneCommand = lazy(() => import("./commands/prune.ts"), "pruneCommand");
export const hostCommand = lazy(() => import("./commands/hosts.ts"), "hostCommand");
const workersModule = () => import("./commands/workers.ts");
export const addWorkerCommand = lazy(workersModule, "addWorkerCommand");
export const answerCommand = lazy(workersModule, "answerCommand");
export const attachCommand = lazy(workersModule, "attachCommand");
export const captureCommand = lazy(workersModule, "captureCommand");
export const keysCommand = lazy(workersModule, "keysCommand");
export const killWorkerCommand = lazy(workersModule, "killWorkerCommand");
export const reviveCommand = lazy(workersModule, "reviveCommand");
export const statusCommand = lazy(workersModule, "statusCommand");
