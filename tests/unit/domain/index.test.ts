import { expect, test } from "bun:test";
import * as domain from "../../../src/core/domain/index.ts";

test("index re-exports every rule", () => {
  expect(Object.keys(domain).sort()).toEqual(
    [
      "CONFIG_ENV_NAMES",
      "ConfigSchema",
      "DEFAULT_CONFIG",
      "DEFAULT_PRIORITY",
      "DEFAULT_RETRY_POLICY",
      "FINAL_TASK_STATUSES",
      "IllegalTransitionError",
      "PRIORITY",
      "PRIORITY_NAMES",
      "TASK_STATUSES",
      "WORKER_STATES",
      "assertTaskTransition",
      "assertWorkerTransition",
      "canTransitionTask",
      "canTransitionWorker",
      "cleanOutput",
      "controlCharacterError",
      "isFinal",
      "isTaskStatus",
      "isWorkerState",
      "normalizeNewlines",
      "parsePriority",
      "priorityName",
      "resolveConfig",
      "retryDecision",
      "retryPolicyFromConfig",
      "stripAnsi",
      "taskTransitionsFrom",
      "utf8ByteLength",
      "validateTaskText",
      "validateWorkerName",
      "workerTransitionsFrom",
    ].sort(),
  );
});
