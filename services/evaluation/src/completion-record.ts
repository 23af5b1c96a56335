/**
 * The completion record of an evaluation: a small JSON file written next to the per-question results,
 * AFTER them, holding what `EvalDone` reports. Its presence is what "this work is done" means: a
 * redelivered `EvalWork` is answered from it without running the model again, and since both
 * `EvalDone`s are built from the same record, they are identical.
 *
 * The results stay plain JSON Lines of per-question answers and scores (the embedded `eval.jsonl`
 * format, which the report and `isara compare` read); the aggregate lives here because it is what the
 * next `EvalDone` needs and one atomic write of a small file is the commit point. A crash between the
 * two writes leaves results without a record: the work runs again and overwrites them.
 */

import { completionKey } from "@isara/contracts";
import { type ArtifactStore, type EvalContext, IsaraError, type ModelRef } from "@isara/core";
import { z } from "zod";
import type { EvalJob } from "./eval-job.js";

const recordSchema = z.object({
  version: z.literal(1),
  idempotencyKey: z.string(),
  model: z.object({ baseModel: z.string(), adapter: z.string().optional() }),
  evaluation: z.union([
    z.object({ kind: z.literal("zero-shot") }),
    z.object({ kind: z.literal("icl"), selection: z.enum(["knn", "random"]), demos: z.number().int() }),
  ]),
  resultsKey: z.string(),
  evaluator: z.string(),
  servedModel: z.string(),
  items: z.number().int().min(0),
  metrics: z.record(z.string(), z.number()),
});

/** What a finished evaluation recorded. */
export type CompletionRecord = z.infer<typeof recordSchema>;

/** The record of a finished `job`. */
export function completionRecord(
  job: EvalJob,
  outcome: {
    readonly evaluator: string;
    readonly servedModel: string;
    readonly items: number;
    readonly metrics: Readonly<Record<string, number>>;
  },
): CompletionRecord {
  return {
    version: 1,
    idempotencyKey: job.idempotencyKey,
    model: job.model.adapter === undefined ? { baseModel: job.model.baseModel } : { ...job.model },
    evaluation: job.evaluation,
    resultsKey: job.resultsKey,
    evaluator: outcome.evaluator,
    servedModel: outcome.servedModel,
    items: outcome.items,
    metrics: { ...outcome.metrics },
  };
}

function sameModel(a: ModelRef, b: ModelRef): boolean {
  return a.baseModel === b.baseModel && a.adapter === b.adapter;
}

function sameEvaluation(a: EvalContext, b: EvalContext): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The record of `job` when it was evaluated before and its results are still there; `undefined` when
 * it must run (no record, a record that does not parse, or results that went missing: running again
 * repairs them).
 * @throws IsaraError `conflict` when a record of the same key describes other work (another model or
 *   evaluation context): two different jobs claim one idempotency key, and answering either from the
 *   other's results would report a wrong score.
 */
export async function readCompletion(
  artifacts: ArtifactStore,
  job: EvalJob,
): Promise<CompletionRecord | undefined> {
  const bytes = await artifacts.read(completionKey(job.resultsKey));
  if (bytes === undefined) return undefined;
  let record: CompletionRecord;
  try {
    record = recordSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return undefined;
  }
  if (
    record.idempotencyKey !== job.idempotencyKey ||
    !sameModel(record.model, job.model) ||
    !sameEvaluation(record.evaluation, job.evaluation)
  ) {
    throw new IsaraError(
      "conflict",
      `${job.resultsKey} already holds the evaluation of ${record.idempotencyKey} (model ${describe(record.model)}, ` +
        `${record.evaluation.kind}), but this work (${job.idempotencyKey}) asks for model ${describe(job.model)}, ` +
        `${job.evaluation.kind}; give the new evaluation its own results_key`,
    );
  }
  if (!(await artifacts.exists(job.resultsKey))) return undefined;
  return record;
}

/** Writes the record (atomically, as the ArtifactStore promises); call only after the results are written. */
export async function writeCompletion(artifacts: ArtifactStore, record: CompletionRecord): Promise<void> {
  await artifacts.write(completionKey(record.resultsKey), `${JSON.stringify(record, null, 2)}\n`);
}

function describe(model: ModelRef): string {
  return model.adapter === undefined ? model.baseModel : `${model.baseModel} + ${model.adapter}`;
}
