/**
 * A `TrainWork` message checked into the job the service runs. Everything a message can get wrong is
 * found here, before any file is read or the trainer starts, and reported at once as one
 * `invalid_argument` error: such a message is poison (retrying the same bytes cannot help) and goes
 * to the dead-letter topic with this error as the reason. Ranges the trainer itself checks more
 * finely (e.g. learning rate at most 1) are left to it: it refuses them with exit code 2, which the
 * service reports in `TrainDone.error`.
 *
 * The run's trainer settings (method, batch size, sequence length, LoRA rank, alpha and dropout) are
 * not in the message: they are read from the run's domain snapshot, which the controller validated
 * when the run started, and added by {@link withTrainingSettings}. The deprecated copies of them that
 * older controllers still set are ignored. The learning rate, epochs and seed are the round's own
 * (computed by the controller each round) and stay in the message.
 */
import { checkRunId, type RunContext, roundWorkKey, TrainingData, type TrainWork } from "@isara/contracts";
import {
  type TrainingData as DataChoice,
  type DomainConfig,
  IsaraError,
  type RunTrainingSettings,
  runTrainingSettings,
} from "@isara/core";

/**
 * What the trainer is asked to do for the round: the message's round (validated) with the run's
 * trainer settings from its domain snapshot.
 */
export interface TrainRequest {
  /** The base model by the name the work uses (resolved to a file by the service's base model). */
  readonly baseModel: string;
  /** Seeds alone (sft-seeds) or seeds and the round's accepted set (ISARA). */
  readonly data: DataChoice;
  /** Artifact key (or absolute path) of the previous round's adapter folder; none = the base model. */
  readonly previousAdapter?: string;
  readonly method: "lora" | "full";
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly maxSequenceLength: number;
  readonly loraRank: number;
  readonly loraAlpha: number;
  readonly loraDropout: number;
  readonly seed: number;
  /** Artifact key of the round's train folder: dataset, trainer outputs and result.json go here. */
  readonly outputKey: string;
}

/** One training run, validated. */
export interface TrainJob {
  /** Run, domain, round and correlation id, as the message carried them (copied onto TrainDone). */
  readonly context: RunContext;
  /** `<run>/<round>/train`. */
  readonly idempotencyKey: string;
  readonly request: TrainRequest;
}

/** A checked `TrainWork`, before the run's trainer settings are added ({@link withTrainingSettings}). */
export interface TrainWorkJob extends Omit<TrainJob, "request"> {
  readonly request: Omit<TrainRequest, keyof RunTrainingSettings>;
}

/** Problem with `key` as an artifact key inside the run's folder, or `undefined` when it is one. */
export function runKeyProblem(field: string, key: string, run: string): string | undefined {
  if (key === "") return `${field} is empty`;
  if (!key.startsWith(`${run}/`))
    return `${field} ${JSON.stringify(key)} is outside the run's folder "${run}/"`;
  const segments = key.split("/");
  if (key.includes("\\") || key.includes("\0") || segments.some((s) => s === "" || s === "." || s === "..")) {
    return `${field} ${JSON.stringify(key)} is not a plain relative key (no "//", ".", "..", "\\" or NUL)`;
  }
  return undefined;
}

function dataOf(data: TrainingData, problems: string[]): DataChoice | undefined {
  if (data === TrainingData.SEEDS) return "seeds";
  if (data === TrainingData.SEEDS_AND_ROUND) return "seeds+round";
  problems.push("data must be SEEDS or SEEDS_AND_ROUND");
  return undefined;
}

function numberProblems(work: TrainWork): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be > 0, got ${value}`);
  };
  positive("learning_rate", work.learningRate);
  positive("epochs", work.epochs);
  return problems;
}

function previousAdapterProblem(adapter: string | undefined, run: string): string | undefined {
  if (adapter === undefined || adapter.startsWith("/")) return undefined;
  return runKeyProblem("previous_adapter", adapter, run);
}

/**
 * Checks a `TrainWork` and returns its job: a run context with a usable run id and a domain; the
 * idempotency key `<run>/<round>/train` of a round ≥ 1; a base model; a data choice; positive
 * learning rate and epochs; an output key and a previous adapter (when set, unless an absolute path)
 * inside the run's folder. The deprecated trainer settings (`method`, `batch_size`,
 * `max_sequence_length`, `lora_rank`, `lora_alpha`, `lora_dropout`) are not read.
 * @throws IsaraError `invalid_argument` listing every problem; its `details` is the list.
 */
export function parseTrainWork(work: TrainWork): TrainWorkJob {
  const problems: string[] = [];
  const context = work.context;
  let run: string | undefined;
  if (context === undefined || context.run === "") {
    problems.push("context.run is not set; every TrainWork carries the run it belongs to");
  } else {
    try {
      run = checkRunId(context.run);
    } catch (err) {
      problems.push(err instanceof Error ? `context.run: ${err.message}` : String(err));
    }
    if (context.domain === "") problems.push("context.domain is not set");
    if (context.round < 1) problems.push("context.round must be 1 or more; round 0 is the base model");
  }
  if (context !== undefined && run !== undefined) {
    const expected = roundWorkKey(run, context.round, "train");
    if (work.idempotencyKey !== expected) {
      problems.push(`idempotency_key is ${JSON.stringify(work.idempotencyKey)}, expected "${expected}"`);
    }
    for (const problem of [
      runKeyProblem("output_key", work.outputKey, run),
      previousAdapterProblem(work.previousAdapter, run),
    ]) {
      if (problem !== undefined) problems.push(problem);
    }
  }
  if (work.baseModel.trim() === "") problems.push("base_model is not set; name the model to train");
  if (work.previousAdapter !== undefined && work.previousAdapter.trim() === "") {
    problems.push("previous_adapter is set but empty; leave it unset to start from the base model");
  }
  const data = dataOf(work.data, problems);
  problems.push(...numberProblems(work));
  if (problems.length > 0 || context === undefined || data === undefined) {
    const about = context?.run ? ` of run ${context.run} round ${context.round}` : "";
    throw new IsaraError(
      "invalid_argument",
      `TrainWork${about} is invalid: ${problems.join("; ")}`,
      problems,
    );
  }
  return {
    context,
    idempotencyKey: work.idempotencyKey,
    request: {
      baseModel: work.baseModel,
      data,
      ...(work.previousAdapter === undefined ? {} : { previousAdapter: work.previousAdapter }),
      learningRate: work.learningRate,
      epochs: work.epochs,
      seed: work.seed,
      outputKey: work.outputKey,
    },
  };
}

/**
 * `work`'s job with the run's trainer settings, from `config`, the run's domain snapshot (core's
 * `runTrainingSettings`: the values the embedded mode trains the same config with). The request keeps
 * the order of the trainer's spec fields.
 */
export function withTrainingSettings(work: TrainWorkJob, config: DomainConfig): TrainJob {
  const t = runTrainingSettings(config);
  const { previousAdapter, ...round } = work.request;
  return {
    ...work,
    request: {
      baseModel: round.baseModel,
      data: round.data,
      ...(previousAdapter === undefined ? {} : { previousAdapter }),
      method: t.method,
      learningRate: round.learningRate,
      epochs: round.epochs,
      batchSize: t.batchSize,
      maxSequenceLength: t.maxSequenceLength,
      loraRank: t.loraRank,
      loraAlpha: t.loraAlpha,
      loraDropout: t.loraDropout,
      seed: round.seed,
      outputKey: round.outputKey,
    },
  };
}
