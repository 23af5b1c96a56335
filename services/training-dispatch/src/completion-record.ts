/**
 * The completion record of a round's training: `<train folder>/result.json` (`runArtifacts(run)
 * .trainResult(round)` for the controller's work), written AFTER the trainer's outputs, holding what
 * `TrainDone.result` reports. Its presence is what "this round is trained" means: a redelivered
 * `TrainWork` is answered from it without training again, and both `TrainDone`s are identical.
 *
 * The trainer writes its own `result.json` there first (absolute paths, no idempotency key); the
 * record replaces it with the same `TrainResult` fields given as artifact keys (a shared volume may be
 * mounted at another path in each pod), plus the key and the request it answers. A crash between
 * the two leaves the trainer's file, which does not parse as a record: the work trains again
 * (deterministic: same seed, same outputs) and the trainer deletes the stale file as it starts.
 */
import { type ArtifactStore, IsaraError } from "@isara/core";
import { z } from "zod";
import type { TrainJob, TrainRequest } from "./train-job.js";

const requestSchema = z.object({
  baseModel: z.string(),
  data: z.enum(["seeds", "seeds+round"]),
  previousAdapter: z.string().optional(),
  method: z.enum(["lora", "full"]),
  learningRate: z.number(),
  epochs: z.number(),
  batchSize: z.number(),
  maxSequenceLength: z.number(),
  loraRank: z.number(),
  loraAlpha: z.number(),
  loraDropout: z.number(),
  seed: z.number(),
  outputKey: z.string(),
});

const recordSchema = z.object({
  version: z.literal(1),
  idempotencyKey: z.string(),
  request: requestSchema,
  /** The summary's adapter: the round's train folder key, as the embedded mode records it. */
  adapter: z.string(),
  adapterDir: z.string(),
  ggufAdapterPath: z.string().optional(),
  steps: z.number().int().min(0),
  finalLoss: z.number(),
  losses: z.array(z.number()),
  datasetKey: z.string(),
  datasetRows: z.number().int().min(0),
  /** The file or folder the trainer loaded as the base model, for people reading the record. */
  trainedFrom: z.string(),
});

/** What a finished training recorded. */
export type CompletionRecord = z.infer<typeof recordSchema>;

/** The key of `job`'s completion record. */
export function completionKeyOf(job: TrainJob): string {
  return `${job.request.outputKey}/result.json`;
}

function sameRequest(a: TrainRequest, b: TrainRequest): boolean {
  const keys = Object.keys(requestSchema.shape) as (keyof TrainRequest)[];
  return keys.every((k) => a[k] === b[k]);
}

/** The files that must still be there for a record to stand for a trained round. */
function outputFiles(record: CompletionRecord): string[] {
  const config = record.request.method === "lora" ? "adapter_config.json" : "config.json";
  const files = [`${record.adapterDir}/${config}`];
  if (record.ggufAdapterPath !== undefined) files.push(record.ggufAdapterPath);
  return files;
}

/**
 * The record of `job` when its round was trained before and the outputs are still there;
 * `undefined` when it must train (no record, the trainer's own result.json, a record that does not
 * parse, or outputs that went missing: training again repairs them).
 * @throws IsaraError `conflict` when the record answers other work (another key, or the same key with
 *   other data, learning rate, base model...): answering from it would report a model that was not
 *   asked for, and training over it would destroy a model another round may use.
 */
export async function readCompletion(
  artifacts: ArtifactStore,
  job: TrainJob,
): Promise<CompletionRecord | undefined> {
  const bytes = await artifacts.read(completionKeyOf(job));
  if (bytes === undefined) return undefined;
  let record: CompletionRecord;
  try {
    record = recordSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return undefined;
  }
  if (record.idempotencyKey !== job.idempotencyKey || !sameRequest(record.request, job.request)) {
    throw new IsaraError(
      "conflict",
      `${completionKeyOf(job)} already holds the training of ${record.idempotencyKey} with other settings ` +
        `(${JSON.stringify(record.request)}) than this work asks for (${JSON.stringify(job.request)}); ` +
        "a round is trained once — start a new run to train it differently",
    );
  }
  for (const key of outputFiles(record)) {
    if (!(await artifacts.exists(key))) return undefined;
  }
  return record;
}

/** Writes the record (atomically, as the ArtifactStore promises); call only after the trainer finished. */
export async function writeCompletion(
  artifacts: ArtifactStore,
  job: TrainJob,
  record: CompletionRecord,
): Promise<void> {
  await artifacts.write(completionKeyOf(job), `${JSON.stringify(recordSchema.parse(record), null, 2)}\n`);
}
