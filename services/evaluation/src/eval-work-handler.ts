/**
 * The work of the evaluation stage for one `EvalWork`: check it, answer a redelivery from the stored
 * results, otherwise load the run's eval set, score the model (reference metric, plus the judge's
 * rubrics when a judge is configured), store the per-question results (with the judge's notes) and the
 * completion record, and return the `EvalDone` to publish. Kafka (decoding, retries, dead letters,
 * commits) is the stage consumer's business; this handler only says which failures are which:
 * - bad message, unknown run, missing or invalid domain files, a key claimed by other work: thrown
 *   (not retryable) → dead-lettered;
 * - LLM, judge or store unavailable, timeouts: thrown (retryable) → retried in place;
 * - the evaluation itself fails for good (model not served here, kNN demos, an adapter llama.cpp
 *   cannot load, a judge server that refuses the request): returned as `EvalDone.error`, so the
 *   controller fails the run with the reason.
 */
import {
  type EvalDone,
  type EvalWork,
  errorInfoToWire,
  loadRunDomain,
  TOPICS,
  toJsonl,
} from "@isara/contracts";
import { type ArtifactStore, type Domain, type EvalResult, IsaraError } from "@isara/core";
import { outgoingMessage, type StageHandler, type StageJob } from "@isara/kafka-kit";
import { asIsaraError } from "@isara/kit";
import type { LlmBackend } from "@isara/llm-backends";
import {
  type CompletionRecord,
  completionRecord,
  readCompletion,
  writeCompletion,
} from "./completion-record.js";
import { demoProviderFor } from "./eval-demos.js";
import { type EvalJob, parseEvalWork } from "./eval-job.js";
import { evaluatorFor, type Judge } from "./judge.js";
import type { EvaluationMetrics } from "./service-metrics.js";

/** What the handler works with. */
export interface EvalWorkHandlerDeps {
  readonly artifacts: ArtifactStore;
  readonly backend: LlmBackend;
  /** Scores every answer beside the reference metric when given; without one, reference metrics only. */
  readonly judge?: Judge;
  readonly metrics: EvaluationMetrics;
}

/** The `EvalDone` reporting a finished evaluation, built only from its record so replays are identical. */
function doneFrom(job: EvalJob, record: CompletionRecord): EvalDone {
  return {
    context: job.context,
    idempotencyKey: job.idempotencyKey,
    outcome: {
      $case: "result",
      value: {
        metrics: { values: { ...record.metrics } },
        resultsKey: record.resultsKey,
        items: record.items,
      },
    },
  };
}

/** Runs the model over the run's eval set; throws what the evaluator or the checks before it throw. */
async function evaluate(
  backend: LlmBackend,
  judge: Judge | undefined,
  job: EvalJob,
  loaded: Domain,
  stage: StageJob,
): Promise<{ name: string; result: EvalResult }> {
  if (!backend.serves(job.model.baseModel)) {
    throw new IsaraError(
      "failed_precondition",
      `this evaluation service runs model "${backend.llm.modelId}", but the work asks for "${job.model.baseModel}"; ` +
        "deploy an evaluation service for that model or start the run with this one",
    );
  }
  const demos = demoProviderFor(job.evaluation, loaded);
  const evaluator = evaluatorFor(
    {
      llm: backend.llm,
      sampling: loaded.config.isara.answerSampling,
      ...(demos === undefined ? {} : { demos }),
    },
    judge,
  );
  const adapter = job.model.adapter === undefined ? undefined : backend.adapterFor(job.model.adapter);
  stage.logger.info(
    {
      items: loaded.eval.length,
      model: job.model,
      evaluation: job.evaluation,
      evaluator: evaluator.name,
      ...(judge === undefined ? {} : { judge: judge.chat.modelId }),
    },
    "evaluation started",
  );
  const result = await evaluator.evaluate(
    { baseModel: job.model.baseModel, ...(adapter === undefined ? {} : { adapter }) },
    loaded.eval,
    // Progress counts answers written, then answers judged per rubric: about ten debug lines in all.
    (done, total) => {
      const every = Math.max(1, Math.floor(total / 10));
      if (done % every === 0 || done === total) stage.logger.debug({ done, total }, "evaluation progress");
    },
    stage.signal,
  );
  return { name: evaluator.name, result };
}

/**
 * The stage handler of `isara.eval.work` (see the module comment for which failure goes where).
 * Idempotent: the completion record is written after the results, and a work whose record exists is
 * answered from it, so at-least-once delivery never runs the model twice for one round.
 */
export function createEvalWorkHandler(deps: EvalWorkHandlerDeps): StageHandler<EvalWork> {
  const { artifacts, metrics } = deps;
  return async (work, stage) => {
    const job = parseEvalWork(work);
    const stored = await readCompletion(artifacts, job);
    if (stored !== undefined) {
      metrics.evaluations.inc({ outcome: "replayed" });
      stage.logger.info(
        { resultsKey: job.resultsKey },
        "already evaluated; answering from the stored results",
      );
      return [outgoingMessage(TOPICS.evalDone, doneFrom(job, stored))];
    }
    const domain = await loadRunDomain(artifacts, job.context.run, job.context.domain);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let evaluated: { name: string; result: EvalResult };
    try {
      evaluated = await evaluate(deps.backend, deps.judge, job, domain, stage);
    } catch (err) {
      const error = asIsaraError(err);
      if (error.retryable || stage.signal.aborted) throw error;
      metrics.evaluations.inc({ outcome: "failed" });
      metrics.duration.observe({ outcome: "failed" }, seconds());
      stage.logger.error({ err: error }, "evaluation failed for good; reporting it in EvalDone");
      const failed: EvalDone = {
        context: job.context,
        idempotencyKey: job.idempotencyKey,
        outcome: { $case: "error", value: errorInfoToWire(error) },
      };
      return [outgoingMessage(TOPICS.evalDone, failed)];
    }
    const { name, result } = evaluated;
    await artifacts.write(job.resultsKey, toJsonl(result.samples));
    const record = completionRecord(job, {
      evaluator: name,
      servedModel: deps.backend.llm.modelId,
      items: result.samples.length,
      metrics: result.metrics,
    });
    await writeCompletion(artifacts, record);
    metrics.evaluations.inc({ outcome: "evaluated" });
    metrics.duration.observe({ outcome: "evaluated" }, seconds());
    stage.logger.info(
      { resultsKey: job.resultsKey, items: record.items, metrics: record.metrics, seconds: seconds() },
      "evaluation finished",
    );
    return [outgoingMessage(TOPICS.evalDone, doneFrom(job, record))];
  };
}
