/**
 * The work of the training-dispatch stage for one `TrainWork`: check it, take the run's trainer
 * settings from its domain snapshot (read once per run), answer a redelivery from the
 * completion record, otherwise build the round's dataset (seeds, plus the accepted set for ISARA),
 * write it to the round's train folder, run the trainer there, write the completion record and return
 * the `TrainDone` to publish. Kafka (decoding, retries, dead letters, commits) is the stage consumer's
 * business; this handler only says which failures are which:
 * - bad message, unknown run, missing or invalid domain or accepted set, a train folder claimed by
 *   other work: thrown (not retryable) → dead-lettered;
 * - store unavailable, trainer killed by a signal, training past its timeout: thrown (retryable) →
 *   retried in place;
 * - the training itself fails for good (base model not trained here, the trainer refuses the spec or
 *   the data, the run fails): returned as `TrainDone.error`, so the controller fails the run with the
 *   reason.
 * At most `concurrency` trainings run at once per handler (STAGE_CONCURRENCY, the stage consumer's
 * partitions at once too): 1 for the local trainer, whose replica owns one GPU or the machine's
 * cores; more for the Kubernetes backend, where each training is its own Job.
 */
import { isAbsolute, relative, sep } from "node:path";
import {
  createRunDomains,
  errorInfoToWire,
  type RunDomains,
  runArtifacts,
  TOPICS,
  type TrainDone,
  type TrainWork,
  toJsonl,
} from "@isara/contracts";
import {
  type ArtifactStore,
  IsaraError,
  lossSummary,
  type Trainer,
  type TrainResult,
  type TrainSpec,
} from "@isara/core";
import { createLimiter, outgoingMessage, type StageHandler, type StageJob } from "@isara/kafka-kit";
import type { BaseModel } from "./base-model.js";
import { type CompletionRecord, readCompletion, writeCompletion } from "./completion-record.js";
import type { LoraLoader } from "./lora-loader.js";
import type { TrainingMetrics } from "./service-metrics.js";
import { parseTrainWork, type TrainJob, withTrainingSettings } from "./train-job.js";
import { classifyTrainerFailure } from "./trainer-failure.js";
import { progressLogger, type TrainerLogRelay } from "./trainer-log.js";
import { trainingRows } from "./training-dataset.js";

/** What the handler works with. */
export interface TrainWorkHandlerDeps {
  readonly artifacts: ArtifactStore;
  readonly trainer: Trainer;
  readonly baseModel: BaseModel;
  readonly metrics: TrainingMetrics;
  /** Sends the trainer's stderr lines to the job's logger; without it they go where the trainer sends them. */
  readonly trainerLogs?: TrainerLogRelay;
  /** Trainings at once (default 1). */
  readonly concurrency?: number;
  /** Longest training run before it is stopped and retried (default: 12 hours). */
  readonly trainingTimeoutMs?: number;
  /** Loads each trained adapter into the serving fleet before TrainDone goes out; none = nothing to load. */
  readonly adapters?: LoraLoader;
  /**
   * The runs' domain snapshots, where the trainer settings and the seeds come from (default: a cache
   * of the handler's own over `artifacts`).
   */
  readonly domains?: RunDomains;
}

/**
 * The `TrainDone` reporting a finished training, built only from its record so replays are identical.
 * Its loss curve is core's `lossSummary` of the record's per-step losses (at most `MAX_LOSS_POINTS`),
 * so the record stays one small Kafka message however many steps the training took; the completion
 * record and the trainer's `result.json` keep every step.
 */
function doneFrom(job: TrainJob, record: CompletionRecord): TrainDone {
  return {
    context: job.context,
    idempotencyKey: job.idempotencyKey,
    outcome: {
      $case: "result",
      value: {
        summary: { adapter: record.adapter, finalLoss: record.finalLoss, steps: record.steps },
        adapterDir: record.adapterDir,
        ...(record.ggufAdapterPath === undefined ? {} : { ggufAdapterPath: record.ggufAdapterPath }),
        losses: lossSummary(record.losses),
      },
    },
  };
}

function failedDone(job: TrainJob, error: IsaraError): TrainDone {
  return {
    context: job.context,
    idempotencyKey: job.idempotencyKey,
    outcome: { $case: "error", value: errorInfoToWire(error) },
  };
}

/**
 * The artifact key of `path`, a trainer output inside the folder of `outputKey`.
 * @throws IsaraError `internal` for a path outside that folder: the other stages could not find it.
 */
function outputKeyOf(artifacts: ArtifactStore, outputKey: string, path: string): string {
  const rel = relative(artifacts.locate(outputKey), path);
  if (rel === "") return outputKey;
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new IsaraError("internal", `the trainer wrote ${path}, outside its output folder ${outputKey}`);
  }
  return `${outputKey}/${rel.split(sep).join("/")}`;
}

/** The previous round's adapter as the trainer needs it: a path (artifact keys are located). */
function previousAdapterPath(artifacts: ArtifactStore, adapter: string | undefined): string | undefined {
  if (adapter === undefined) return undefined;
  return isAbsolute(adapter) ? adapter : artifacts.locate(adapter);
}

/**
 * The stage handler of `isara.train.work` (see the module comment for which failure goes where).
 * Idempotent: the completion record is written after the trainer's outputs, and a work whose record
 * exists is answered from it, so at-least-once delivery never trains a round twice once it finished.
 */
export function createTrainWorkHandler(deps: TrainWorkHandlerDeps): StageHandler<TrainWork> {
  const { artifacts, metrics, baseModel } = deps;
  const timeoutMs = deps.trainingTimeoutMs ?? 12 * 3_600_000;
  const trainings = createLimiter(deps.concurrency ?? 1);
  const domains = deps.domains ?? createRunDomains(artifacts);

  async function train(
    job: TrainJob,
    stage: StageJob,
    datasetKey: string,
    timeout: AbortSignal,
  ): Promise<TrainResult> {
    const { request } = job;
    const previous = previousAdapterPath(artifacts, request.previousAdapter);
    const spec: TrainSpec = {
      baseModel: baseModel.path,
      datasetPath: artifacts.locate(datasetKey),
      ...(previous === undefined ? {} : { previousAdapter: previous }),
      method: request.method,
      learningRate: request.learningRate,
      epochs: request.epochs,
      batchSize: request.batchSize,
      maxSequenceLength: request.maxSequenceLength,
      loraRank: request.loraRank,
      loraAlpha: request.loraAlpha,
      loraDropout: request.loraDropout,
      seed: request.seed,
      outputDir: artifacts.locate(request.outputKey),
    };
    const onProgress = progressLogger(stage.logger, () => metrics.steps.inc());
    const context = { runId: job.context.run, round: job.context.round };
    const run = () => deps.trainer.train(spec, onProgress, AbortSignal.any([stage.signal, timeout]), context);
    return deps.trainerLogs === undefined ? run() : deps.trainerLogs.during(stage.logger, run);
  }

  /** Serving must hold the adapter before the next work names it; a failure retries the work (answered from its record). */
  async function loadAdapter(record: CompletionRecord): Promise<void> {
    await deps.adapters?.load(record.adapter, artifacts.locate(record.adapterDir));
  }

  async function handle(work: TrainWork, stage: StageJob) {
    const parsed = parseTrainWork(work);
    const domain = await domains.get(parsed.context.run, parsed.context.domain);
    const job = withTrainingSettings(parsed, domain.config);
    const stored = await readCompletion(artifacts, job);
    if (stored !== undefined) {
      await loadAdapter(stored);
      metrics.trainings.inc({ outcome: "replayed" });
      stage.logger.info({ adapter: stored.adapter }, "already trained; answering from the completion record");
      return [outgoingMessage(TOPICS.trainDone, doneFrom(job, stored))];
    }
    if (!baseModel.serves(job.request.baseModel)) {
      const error = new IsaraError(
        "failed_precondition",
        `this training-dispatch trains model "${baseModel.id}", but the work asks for "${job.request.baseModel}"; ` +
          "deploy a training-dispatch for that model or start the run with this one",
      );
      metrics.trainings.inc({ outcome: "failed" });
      stage.logger.error({ err: error }, "training refused; reporting it in TrainDone");
      return [outgoingMessage(TOPICS.trainDone, failedDone(job, error))];
    }
    const { run, round } = job.context;
    const rows = await trainingRows(artifacts, job, domain);
    const datasetKey = runArtifacts(run).trainDataset(round);
    await artifacts.write(datasetKey, toJsonl(rows));
    stage.logger.info(
      {
        datasetKey,
        rows: rows.length,
        data: job.request.data,
        baseModel: baseModel.id,
        previousAdapter: job.request.previousAdapter,
      },
      "training started",
    );
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    // A timer of its own (not AbortSignal.timeout, whose timer does not keep the process alive), cleared after.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const timeout = deadline.signal;
    let result: TrainResult;
    metrics.inProgress.inc();
    try {
      result = await train(job, stage, datasetKey, timeout);
    } catch (err) {
      const failure = classifyTrainerFailure(err, {
        aborted: stage.signal.aborted,
        timedOut: timeout.aborted,
        timeoutMs,
      });
      if (failure.kind === "retry") throw failure.error;
      metrics.trainings.inc({ outcome: "failed" });
      metrics.duration.observe({ outcome: "failed" }, seconds());
      stage.logger.error({ err: failure.error }, "training failed for good; reporting it in TrainDone");
      return [outgoingMessage(TOPICS.trainDone, failedDone(job, failure.error))];
    } finally {
      clearTimeout(timer);
      metrics.inProgress.dec();
    }
    const { outputKey } = job.request;
    const record: CompletionRecord = {
      version: 1,
      idempotencyKey: job.idempotencyKey,
      request: job.request,
      adapter: outputKey,
      adapterDir: outputKeyOf(artifacts, outputKey, result.adapterDir),
      ...(result.ggufAdapterPath === undefined
        ? {}
        : { ggufAdapterPath: outputKeyOf(artifacts, outputKey, result.ggufAdapterPath) }),
      steps: result.steps,
      finalLoss: result.finalLoss,
      losses: [...result.losses],
      datasetKey,
      datasetRows: rows.length,
      trainedFrom: baseModel.path,
    };
    await writeCompletion(artifacts, job, record);
    await loadAdapter(record);
    metrics.trainings.inc({ outcome: "trained" });
    metrics.duration.observe({ outcome: "trained" }, seconds());
    stage.logger.info(
      { adapter: record.adapter, steps: record.steps, finalLoss: record.finalLoss, seconds: seconds() },
      "training finished",
    );
    return [outgoingMessage(TOPICS.trainDone, doneFrom(job, record))];
  }

  return async (work, stage) => {
    const release = await trainings.acquire();
    try {
      return await handle(work, stage);
    } finally {
      release();
    }
  };
}
