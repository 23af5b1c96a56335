/**
 * An `EvalWork` message checked into the job the service runs. Everything a message can get wrong is
 * found here, before any file is read or any model runs, and reported at once as one
 * `invalid_argument` error: such a message is poison (retrying the same bytes cannot help) and goes
 * to the dead-letter topic with this error as the reason.
 */
import { checkRunId, DemoSelection, type EvalWork, type RunContext, roundWorkKey } from "@isara/contracts";
import { type EvalContext, IsaraError, type ModelRef } from "@isara/core";

/** What one evaluation does, validated. */
export interface EvalJob {
  /** Run, domain, round and correlation id, as the message carried them (copied onto EvalDone). */
  readonly context: RunContext;
  /** `<run>/<round>/evaluate`. */
  readonly idempotencyKey: string;
  /** The model to score, as the message names it (adapter: an artifact key or path for llama). */
  readonly model: ModelRef;
  /** Zero-shot or in-context demos. */
  readonly evaluation: EvalContext;
  /** Where the per-question results go; inside the run's folder. */
  readonly resultsKey: string;
}

/** Most in-context demos per question; far above the paper's K = 8, low enough to refuse junk. */
const MAX_DEMOS = 64;

function evaluationOf(work: EvalWork, problems: string[]): EvalContext | undefined {
  const kind = work.evaluation?.kind;
  switch (kind?.$case) {
    case "zeroShot":
      return { kind: "zero-shot" };
    case "inContext": {
      const { selection, demos } = kind.value;
      const chosen =
        selection === DemoSelection.KNN ? "knn" : selection === DemoSelection.RANDOM ? "random" : undefined;
      if (chosen === undefined) problems.push("evaluation.in_context.selection must be KNN or RANDOM");
      if (demos < 1 || demos > MAX_DEMOS) {
        problems.push(`evaluation.in_context.demos must be from 1 to ${MAX_DEMOS}, got ${demos}`);
      }
      return chosen === undefined ? undefined : { kind: "icl", selection: chosen, demos };
    }
    default:
      problems.push("evaluation is not set; send zero_shot or in_context");
      return undefined;
  }
}

function resultsKeyProblem(key: string, run: string): string | undefined {
  if (key === "")
    return "results_key is empty; name the artifact the results go to, e.g. <run>/round-1/eval.jsonl";
  if (!key.startsWith(`${run}/`))
    return `results_key ${JSON.stringify(key)} is outside the run's folder "${run}/"`;
  const segments = key.split("/");
  if (key.includes("\\") || key.includes("\0") || segments.some((s) => s === "" || s === "." || s === "..")) {
    return `results_key ${JSON.stringify(key)} is not a plain relative key (no "//", ".", "..", "\\" or NUL)`;
  }
  return undefined;
}

/**
 * Checks an `EvalWork` and returns its job: a run context with a usable run id and a domain; the
 * idempotency key `<run>/<round>/evaluate`; a model with a base model (and a non-empty adapter when
 * set); an evaluation context (zero-shot, or in-context with a selection and 1-64 demos); a results
 * key inside the run's folder.
 * @throws IsaraError `invalid_argument` listing every problem; its `details` is the list.
 */
export function parseEvalWork(work: EvalWork): EvalJob {
  const problems: string[] = [];
  const context = work.context;
  let run: string | undefined;
  if (context === undefined || context.run === "") {
    problems.push("context.run is not set; every EvalWork carries the run it belongs to");
  } else {
    try {
      run = checkRunId(context.run);
    } catch (err) {
      problems.push(err instanceof Error ? `context.run: ${err.message}` : String(err));
    }
    if (context.domain === "") problems.push("context.domain is not set");
  }
  if (context !== undefined && run !== undefined) {
    const expected = roundWorkKey(run, context.round, "evaluate");
    if (work.idempotencyKey !== expected) {
      problems.push(`idempotency_key is ${JSON.stringify(work.idempotencyKey)}, expected "${expected}"`);
    }
    const keyProblem = resultsKeyProblem(work.resultsKey, run);
    if (keyProblem !== undefined) problems.push(keyProblem);
  }
  const model = work.model;
  if (model === undefined || model.baseModel.trim() === "") {
    problems.push("model.base_model is not set; name the model to evaluate");
  } else if (model.adapter !== undefined && model.adapter.trim() === "") {
    problems.push("model.adapter is set but empty; leave it unset to evaluate the base model");
  }
  const evaluation = evaluationOf(work, problems);
  if (problems.length > 0 || context === undefined || model === undefined || evaluation === undefined) {
    const about = context?.run ? ` of run ${context.run} round ${context.round}` : "";
    throw new IsaraError("invalid_argument", `EvalWork${about} is invalid: ${problems.join("; ")}`, problems);
  }
  return {
    context,
    idempotencyKey: work.idempotencyKey,
    model: model.adapter === undefined ? { baseModel: model.baseModel } : { ...model },
    evaluation,
    resultsKey: work.resultsKey,
  };
}
