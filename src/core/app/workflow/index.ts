/**
 * Workflow files for `orch run FILE`: parsing and validation, the step graph, and rendering a
 * step's text from earlier steps' outputs. Pure: the caller reads the file and passes its text.
 *
 * @example
 * ```ts
 * import { parseWorkflow, stepGraph, stepVerdict, renderStepText } from "../app/workflow/index.ts";
 * ```
 */
export { describeValue, formatPath, formatWorkflowError, formatWorkflowErrors } from "./errors.ts";
export { type StepGraph, stepGraph } from "./graph.ts";
export { type ParseWorkflowOptions, parseWorkflow } from "./parse.ts";
export { STEP_NAME } from "./schema.ts";
export { renderStepText, type TemplateContext, templateRefs } from "./template.ts";
export {
  DEFAULT_WORKFLOW_LIMITS,
  type StepStatus,
  type Workflow,
  type WorkflowError,
  type WorkflowLimits,
  type WorkflowStep,
} from "./types.ts";
export { type StepVerdict, stepVerdict } from "./verdict.ts";
