/**
 * Test support for the handler tests: a stage job as the stage consumer would give one (its logger
 * bound to the message's run context, writing into an array), a handler over a fresh artifact folder
 * and metrics, and one call decoded into its `TrainDone`. Not exported.
 */
import assert from "node:assert/strict";
import { decodeTopicMessage, TOPICS, type TrainDone, type TrainWork } from "@isara/contracts";
import type { ArtifactStore, Trainer } from "@isara/core";
import type { OutgoingMessage, StageHandler, StageJob } from "@isara/kafka-kit";
import { childLogger, createMetrics, type Logger, type LogLevel } from "@isara/kit";
import { type LogLines, lineLogger } from "@isara/testkit";
import { baseModel } from "../src/base-model.js";
import { createTrainingMetrics } from "../src/service-metrics.js";
import { createTrainWorkHandler, type TrainWorkHandlerDeps } from "../src/train-work-handler.js";

export type { LogLines } from "@isara/testkit";

/** A logger writing JSON lines into `lines`. */
export function arrayLogger(lines: LogLines, level: LogLevel = "debug"): Logger {
  return lineLogger("training-dispatch", lines, level);
}

/** A first delivery of `work`, cancelled through `signal`, its logger bound like the stage consumer binds it. */
export function stageJob(
  work: TrainWork,
  lines: LogLines = [],
  signal: AbortSignal = new AbortController().signal,
): StageJob {
  const c = work.context;
  const logger = childLogger(arrayLogger(lines), {
    component: "stage-consumer",
    ...(c === undefined ? {} : { run: c.run, domain: c.domain, round: c.round, requestId: c.correlationId }),
  });
  return { signal, logger, attempt: 1, source: { topic: TOPICS.trainWork.name, partition: 0, offset: "0" } };
}

/** A handler over `artifacts` and `trainer` that trains the base model "tiny" at `modelPath`, and its metrics. */
export function handlerWith(
  artifacts: ArtifactStore,
  trainer: Trainer,
  modelPath: string,
  extra: Partial<TrainWorkHandlerDeps> = {},
) {
  const metrics = createMetrics();
  const handle = createTrainWorkHandler({
    artifacts,
    trainer,
    baseModel: baseModel(modelPath, "tiny"),
    metrics: createTrainingMetrics(metrics),
    ...extra,
  });
  const outcomes = async () => (await metrics.registry.getSingleMetricAsString("trainings_total")).trim();
  return { handle, outcomes };
}

/** Hands `work` to `handle` once; checks that exactly one `TrainDone` comes back and decodes it. */
export async function runOnce(
  handle: StageHandler<TrainWork>,
  work: TrainWork,
  lines: LogLines = [],
): Promise<{ message: OutgoingMessage; done: TrainDone }> {
  const out = await handle(work, stageJob(work, lines));
  assert.equal(out.length, 1, "one TrainDone per TrainWork");
  const [message] = out;
  assert.ok(message);
  assert.equal(message.topic, TOPICS.trainDone.name);
  return { message, done: decodeTopicMessage(TOPICS.trainDone, message.value) };
}
