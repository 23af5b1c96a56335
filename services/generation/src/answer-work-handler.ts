/**
 * The work of the answer stage for one `AnswerWork`: check it, take the run's sampling and token
 * budget from its domain snapshot (read once per run), answer a redelivery from the slot's
 * record, otherwise choose the prompt's nearest demos through retrieval, let the model answer (the
 * pipeline's `writeAnswerForPrompt`), record the result and return the `AnswerWritten` candidate. A
 * prompt that came out empty gets an empty answer without a model call, as in the embedded mode, and
 * is left to the filters, so every slot is accounted for. Failures are thrown, as for prompts:
 * poison → `isara.answers.dlq`, transient → retried in place.
 */
import { type AnswerWork, type AnswerWritten, sampleToWire, TOPICS } from "@isara/contracts";
import { PROMPT_TEMPLATE_VERSION, type Sample } from "@isara/core";
import { writeAnswerForPrompt } from "@isara/core/pipeline";
import { outgoingMessage, type StageHandler } from "@isara/kafka-kit";
import { type AnswerJob, parseAnswerWork, withRunSettings } from "./generation-job.js";
import { type AnswerResult, readSlotRecord, writeSlotRecord } from "./slot-record.js";
import { runDomainsOf, type SlotHandlerDeps, writerFor } from "./slot-writer.js";

/** The candidate sample of an answered slot: set t of round t, no verdicts yet. */
export function candidateOf(job: AnswerJob, result: AnswerResult): Sample {
  const { run, domain, round } = job.context;
  return {
    id: job.idempotencyKey,
    run,
    domain,
    round,
    setIndex: round,
    slot: job.slot,
    prompt: job.prompt,
    response: result.response,
    lineage: {
      promptDemos: job.promptDemos,
      answerDemos: result.answerDemos,
      promptTemplateVersion: PROMPT_TEMPLATE_VERSION,
      generatorModel: result.generatorModel,
      verdicts: [],
    },
  };
}

/** The `AnswerWritten` of an answered slot, built only from its record so replays are identical. */
export function answerWrittenFrom(job: AnswerJob, result: AnswerResult): AnswerWritten {
  return {
    context: job.context,
    idempotencyKey: job.idempotencyKey,
    candidate: sampleToWire(candidateOf(job, result)),
    truncated: result.truncated,
  };
}

/** Writes the answer of `job` (no model call for an empty prompt). */
async function answer(deps: SlotHandlerDeps, job: AnswerJob, signal: AbortSignal): Promise<AnswerResult> {
  const writer = writerFor(deps.backend, job.model);
  if (job.prompt.trim() === "") {
    return { response: "", answerDemos: [], truncated: false, generatorModel: writer.generatorModel };
  }
  const selection = await deps.demos.selectDemos(
    { context: job.context, quotas: job.quotas, strategy: { kind: "nearest", prompt: job.prompt } },
    signal,
  );
  const candidate = await writeAnswerForPrompt(
    {
      prompt: {
        slot: job.slot,
        prompt: job.prompt,
        promptDemos: job.promptDemos,
        droppedDemos: 0,
        truncated: false,
      },
      selection,
      sampling: job.sampling,
      seed: job.samplingSeed,
      budgetTokens: job.promptBudgetTokens,
      adapter: writer.adapter,
    },
    deps.backend,
    signal,
  );
  return {
    response: candidate.response,
    answerDemos: [...candidate.answerDemos],
    truncated: candidate.truncated,
    generatorModel: writer.generatorModel,
  };
}

/**
 * The stage handler of `isara.answers.work`. Idempotent like the prompt handler: the record is
 * written before the candidate is published and answers every redelivery.
 */
export function createAnswerWorkHandler(deps: SlotHandlerDeps): StageHandler<AnswerWork> {
  const { artifacts, metrics } = deps;
  const domains = runDomainsOf(deps);
  return async (work, stage) => {
    const job = await withRunSettings<AnswerJob>(
      parseAnswerWork(work),
      domains,
      "answer",
      deps.backend.tokenizer,
    );
    const stored = await readSlotRecord(artifacts, job);
    if (stored !== undefined) {
      metrics.slots.inc({ stage: "answers", outcome: "replayed" });
      stage.logger.info({ slot: job.slot }, "answer already written; answering from its record");
      return [outgoingMessage(TOPICS.answerWritten, answerWrittenFrom(job, stored))];
    }
    const started = performance.now();
    const result = await answer(deps, job, stage.signal);
    await writeSlotRecord(artifacts, job, result);
    const seconds = (performance.now() - started) / 1000;
    metrics.slots.inc({ stage: "answers", outcome: "written" });
    metrics.duration.observe({ stage: "answers" }, seconds);
    stage.logger.info(
      { slot: job.slot, demos: result.answerDemos.length, truncated: result.truncated, seconds },
      "answer written",
    );
    return [outgoingMessage(TOPICS.answerWritten, answerWrittenFrom(job, result))];
  };
}
