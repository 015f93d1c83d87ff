/** The controller's expected outcomes: the domain's one {@link Result} shape under its older name. */
export { type FailureCode, fail, ok, type Result as Outcome } from "../domain/result.ts";
