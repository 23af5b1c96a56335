/**
 * The result record of one generation slot: a small JSON file on the artifact volume, written after
 * the model wrote and BEFORE the result is published. Its presence is what "this slot is written"
 * means: a redelivered work message is answered from it without calling retrieval or the model, and
 * since the first and every later result message are built from the same record, they are identical.
 *
 * ```
 * <run>/round-<t>/prompts/<slot>.json   a PromptWork's result (the new prompt and its demos)
 * <run>/round-<t>/answers/<slot>.json   an AnswerWork's result (the answer and its demos)
 * ```
 *
 * The record keeps the work it answers (quotas, seeds, sampling, budget, model; the prompt for
 * answers): a record whose work differs is other work claiming the same slot, refused as `conflict`
 * instead of being answered with a result the new work did not ask for.
 */
import { isDeepStrictEqual } from "node:util";
import { runArtifacts } from "@isara/contracts";
import { type ArtifactStore, IsaraError } from "@isara/core";
import { z } from "zod";
import type { AnswerJob, PromptJob } from "./generation-job.js";

/** The two kinds of slot the service writes, as folder names. */
export type SlotStage = "prompts" | "answers";

/**
 * `<run>/round-<round>/<stage>/<slot>.json`: where the result of one slot is recorded, below the
 * run's folder of `runArtifacts` (so runs never touch each other's records).
 */
export function slotRecordKey(run: string, round: number, stage: SlotStage, slot: number): string {
  return runArtifacts(run).slotRecord(round, stage, slot);
}

const demoRefSchema = z.object({
  id: z.string(),
  setIndex: z.number().int().min(0),
  score: z.number().nullable(),
});

const promptResultSchema = z.object({
  prompt: z.string(),
  promptDemos: z.array(demoRefSchema),
  droppedDemos: z.number().int().min(0),
  truncated: z.boolean(),
  generatorModel: z.string(),
});

const answerResultSchema = z.object({
  response: z.string(),
  answerDemos: z.array(demoRefSchema),
  truncated: z.boolean(),
  generatorModel: z.string(),
});

const recordSchema = z.discriminatedUnion("stage", [
  z.object({
    version: z.literal(1),
    stage: z.literal("prompts"),
    idempotencyKey: z.string(),
    work: z.unknown(),
    result: promptResultSchema,
  }),
  z.object({
    version: z.literal(1),
    stage: z.literal("answers"),
    idempotencyKey: z.string(),
    work: z.unknown(),
    result: answerResultSchema,
  }),
]);

/** What writing a prompt produced. */
export type PromptResult = z.infer<typeof promptResultSchema>;
/** What writing an answer produced. */
export type AnswerResult = z.infer<typeof answerResultSchema>;

/** A job's work as the record keeps it: plain JSON, so a record read back compares equal. */
function workOf(job: PromptJob | AnswerJob): unknown {
  const common = {
    quotas: job.quotas,
    samplingSeed: job.samplingSeed,
    sampling: job.sampling,
    promptBudgetTokens: job.promptBudgetTokens,
    model: job.model,
  };
  const work =
    job.kind === "prompt"
      ? { ...common, demoSeed: job.demoSeed }
      : { ...common, prompt: job.prompt, promptDemos: job.promptDemos };
  return JSON.parse(JSON.stringify(work));
}

function stageOf(job: PromptJob | AnswerJob): SlotStage {
  return job.kind === "prompt" ? "prompts" : "answers";
}

/** Where `job`'s record lives. */
export function recordKeyOf(job: PromptJob | AnswerJob): string {
  return slotRecordKey(job.context.run, job.context.round, stageOf(job), job.slot);
}

/**
 * The recorded result of `job` when its slot was written before; `undefined` when it must be written
 * (no record, or one that does not parse: writing again repairs it).
 * @throws IsaraError `conflict` when the record belongs to other work (another model, seed, quota,
 *   sampling or prompt): two works claim one slot, and answering either with the other's result
 *   would put a sample in the round that nobody asked for.
 */
export async function readSlotRecord(
  artifacts: ArtifactStore,
  job: PromptJob,
): Promise<PromptResult | undefined>;
export async function readSlotRecord(
  artifacts: ArtifactStore,
  job: AnswerJob,
): Promise<AnswerResult | undefined>;
export async function readSlotRecord(
  artifacts: ArtifactStore,
  job: PromptJob | AnswerJob,
): Promise<PromptResult | AnswerResult | undefined> {
  const key = recordKeyOf(job);
  const bytes = await artifacts.read(key);
  if (bytes === undefined) return undefined;
  let record: z.infer<typeof recordSchema>;
  try {
    record = recordSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    return undefined;
  }
  if (record.stage !== stageOf(job) || record.idempotencyKey !== job.idempotencyKey) return undefined;
  if (!isDeepStrictEqual(record.work, workOf(job))) {
    throw new IsaraError(
      "conflict",
      `${key} already holds the result of other work for slot ${job.slot} of run ${job.context.run} round ` +
        `${job.context.round} (recorded work ${JSON.stringify(record.work)}); the controller must not send ` +
        "different work for a written slot: start the round again in a new run, or remove the record to redo the slot",
    );
  }
  return record.result;
}

/** Records `result` for `job` (atomically, as the ArtifactStore promises). */
export async function writeSlotRecord(
  artifacts: ArtifactStore,
  job: PromptJob,
  result: PromptResult,
): Promise<void>;
export async function writeSlotRecord(
  artifacts: ArtifactStore,
  job: AnswerJob,
  result: AnswerResult,
): Promise<void>;
export async function writeSlotRecord(
  artifacts: ArtifactStore,
  job: PromptJob | AnswerJob,
  result: PromptResult | AnswerResult,
): Promise<void> {
  const record = {
    version: 1,
    stage: stageOf(job),
    idempotencyKey: job.idempotencyKey,
    work: workOf(job),
    result,
  };
  await artifacts.write(recordKeyOf(job), `${JSON.stringify(record, null, 2)}\n`);
}
