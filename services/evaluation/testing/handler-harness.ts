/**
 * Test support for the handler tests: a stage job as the stage consumer would give one, running a
 * handler once and decoding its `EvalDone`, and reading back the stored per-question results. Not
 * exported.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeTopicMessage, type EvalDone, type EvalWork, TOPICS } from "@isara/contracts";
import type { OutgoingMessage, StageHandler, StageJob } from "@isara/kafka-kit";
import { createRootLogger } from "@isara/kit";

const logger = createRootLogger({ level: "silent", name: "evaluation-test" });

/** A first delivery of an `isara.eval.work` message, cancelled through `signal`. */
export function stageJob(signal: AbortSignal = new AbortController().signal): StageJob {
  return { signal, logger, attempt: 1, source: { topic: TOPICS.evalWork.name, partition: 0, offset: "0" } };
}

/** Hands `work` to `handle` once; checks that exactly one `EvalDone` comes back and decodes it. */
export async function runOnce(
  handle: StageHandler<EvalWork>,
  work: EvalWork,
): Promise<{ message: OutgoingMessage; done: EvalDone }> {
  const out = await handle(work, stageJob());
  assert.equal(out.length, 1, "one EvalDone per EvalWork");
  const [message] = out;
  assert.ok(message);
  assert.equal(message.topic, TOPICS.evalDone.name);
  return { message, done: decodeTopicMessage(TOPICS.evalDone, message.value) };
}

/** One stored per-question result, as the results JSON Lines hold it. */
export interface StoredSample {
  readonly id: string;
  readonly prompt: string;
  readonly answer: string;
  readonly scores: Record<string, number>;
  readonly notes?: Record<string, string>;
}

/** The per-question results under `key` of the artifact folder `root`. */
export async function readResults(root: string, key: string): Promise<StoredSample[]> {
  const text = await readFile(join(root, key), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as StoredSample);
}

/** The metrics an `EvalDone` reports, or a failed assertion when it reports an error. */
export function metricsOf(done: EvalDone): Record<string, number> {
  assert.equal(done.outcome?.$case, "result", "the evaluation succeeded");
  return { ...done.outcome.value.metrics?.values };
}
