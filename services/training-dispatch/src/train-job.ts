/**
 * A `TrainWork` message checked into the job the service runs. Everything a message can get wrong is
 * found here, before any file is read or the trainer starts, and reported at once as one
 * `invalid_argument` error: such a message is poison (retrying the same bytes cannot help) and goes
 * to the dead-letter topic with this error as the reason. Ranges the trainer itself checks more
 * finely (e.g. learning rate at most 1) are left to it: it refuses them with exit code 2, which the
 * service reports in `TrainDone.error`.
 */
import {
  checkRunId,
  type RunContext,
  roundWorkKey,
  TrainingData,
  TrainingMethod,
  type TrainWork,
} from "@isara/contracts";
import { type TrainingData as DataChoice, IsaraError } from "@isara/core";

/** What the trainer is asked to do for the round, as the message gave it (validated). */
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

function methodOf(method: TrainingMethod, problems: string[]): "lora" | "full" | undefined {
  if (method === TrainingMethod.LORA) return "lora";
  if (method === TrainingMethod.FULL) return "full";
  problems.push("method must be LORA or FULL");
  return undefined;
}

function numberProblems(work: TrainWork, method: "lora" | "full" | undefined): string[] {
  const problems: string[] = [];
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be > 0, got ${value}`);
  };
  positive("learning_rate", work.learningRate);
  positive("epochs", work.epochs);
  positive("batch_size", work.batchSize);
  positive("max_sequence_length", work.maxSequenceLength);
  if (method === "lora") {
    positive("lora_rank", work.loraRank);
    positive("lora_alpha", work.loraAlpha);
  }
  if (!Number.isFinite(work.loraDropout) || work.loraDropout < 0 || work.loraDropout >= 1) {
    problems.push(`lora_dropout must be in [0, 1), got ${work.loraDropout}`);
  }
  return problems;
}

function previousAdapterProblem(adapter: string | undefined, run: string): string | undefined {
  if (adapter === undefined || adapter.startsWith("/")) return undefined;
  return runKeyProblem("previous_adapter", adapter, run);
}

/**
 * Checks a `TrainWork` and returns its job: a run context with a usable run id and a domain; the
 * idempotency key `<run>/<round>/train` of a round ≥ 1; a base model; a data choice and a method;
 * positive learning rate, epochs, batch size, sequence length (and LoRA rank and alpha); dropout in
 * [0, 1); an output key and a previous adapter (when set, unless an absolute path) inside the run's
 * folder.
 * @throws IsaraError `invalid_argument` listing every problem; its `details` is the list.
 */
export function parseTrainWork(work: TrainWork): TrainJob {
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
  const method = methodOf(work.method, problems);
  problems.push(...numberProblems(work, method));
  if (problems.length > 0 || context === undefined || data === undefined || method === undefined) {
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
      method,
      learningRate: work.learningRate,
      epochs: work.epochs,
      batchSize: work.batchSize,
      maxSequenceLength: work.maxSequenceLength,
      loraRank: work.loraRank,
      loraAlpha: work.loraAlpha,
      loraDropout: work.loraDropout,
      seed: work.seed,
      outputKey: work.outputKey,
    },
  };
}
