/**
 * The work of the prompt stage for one `PromptWork`: check it, take the run's sampling and token
 * budget from its domain snapshot (read once per run), answer a redelivery from the slot's
 * record, otherwise choose the slot's random demos through retrieval (with the slot's seed), let the
 * model write the prompt (the pipeline's `writePromptForSlot`: token budget, conversation format,
 * cut at the first role keyword), record the result and return the `PromptWritten` to publish.
 * Kafka (decoding, retries, dead letters, commits) is the consumer's business; failures are thrown:
 * - bad message, unknown run or invalid domain snapshot, model not served here, a record of other
 *   work for the slot: not retryable → dead-lettered on `isara.prompts.dlq`;
 * - retrieval, LLM or store unavailable, timeouts: retryable → retried in place.
 */
import { demoRefToWire, type PromptWork, type PromptWritten, TOPICS } from "@isara/contracts";
import { writePromptForSlot } from "@isara/core/pipeline";
import { outgoingMessage, type StageHandler } from "@isara/kafka-kit";
import { type PromptJob, parsePromptWork, withRunSettings } from "./generation-job.js";
import { type PromptResult, readSlotRecord, writeSlotRecord } from "./slot-record.js";
import { runDomainsOf, type SlotHandlerDeps, writerFor } from "./slot-writer.js";

/** The `PromptWritten` of a written slot, built only from its record so replays are identical. */
export function promptWrittenFrom(job: PromptJob, result: PromptResult): PromptWritten {
  return {
    context: job.context,
    idempotencyKey: job.idempotencyKey,
    slot: job.slot,
    prompt: result.prompt,
    promptDemos: result.promptDemos.map(demoRefToWire),
    droppedDemos: result.droppedDemos,
    truncated: result.truncated,
    generatorModel: result.generatorModel,
  };
}

/**
 * The stage handler of `isara.prompts.work` (see the module comment for which failure goes where).
 * Idempotent: the record is written before the result is published, and a work whose record exists
 * is answered from it, so at-least-once delivery never calls the model twice for one slot.
 */
export function createPromptWorkHandler(deps: SlotHandlerDeps): StageHandler<PromptWork> {
  const { artifacts, backend, metrics } = deps;
  const domains = runDomainsOf(deps);
  return async (work, stage) => {
    const job = await withRunSettings<PromptJob>(parsePromptWork(work), domains, "prompt", backend.tokenizer);
    const stored = await readSlotRecord(artifacts, job);
    if (stored !== undefined) {
      metrics.slots.inc({ stage: "prompts", outcome: "replayed" });
      stage.logger.info({ slot: job.slot }, "prompt already written; answering from its record");
      return [outgoingMessage(TOPICS.promptWritten, promptWrittenFrom(job, stored))];
    }
    const writer = writerFor(backend, job.model);
    const started = performance.now();
    const selection = await deps.demos.selectDemos(
      { context: job.context, quotas: job.quotas, strategy: { kind: "random", seed: job.demoSeed } },
      stage.signal,
    );
    const written = await writePromptForSlot(
      {
        slot: job.slot,
        selection,
        sampling: job.sampling,
        seed: job.samplingSeed,
        budgetTokens: job.promptBudgetTokens,
        adapter: writer.adapter,
      },
      backend,
      stage.signal,
    );
    const result: PromptResult = {
      prompt: written.prompt,
      promptDemos: [...written.promptDemos],
      droppedDemos: written.droppedDemos,
      truncated: written.truncated,
      generatorModel: writer.generatorModel,
    };
    await writeSlotRecord(artifacts, job, result);
    const seconds = (performance.now() - started) / 1000;
    metrics.slots.inc({ stage: "prompts", outcome: "written" });
    metrics.duration.observe({ stage: "prompts" }, seconds);
    stage.logger.info(
      { slot: job.slot, demos: result.promptDemos.length, dropped: result.droppedDemos, seconds },
      "prompt written",
    );
    return [outgoingMessage(TOPICS.promptWritten, promptWrittenFrom(job, result))];
  };
}
