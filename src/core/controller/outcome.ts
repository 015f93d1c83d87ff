/**
 * The domain's one {@link Result} shape under the controller's older name, `Outcome`. Only
 * src/core/controller/api.ts and src/core/app/runs/run-engine.ts still import it; everything
 * else imports src/core/domain/result.ts. Delete this file once those two do too.
 */
export { type FailureCode, fail, ok, type Result as Outcome } from "../domain/result.ts";
