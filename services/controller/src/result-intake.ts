/**
 * The controller's intake: each result or dead letter read from Kafka, checked and turned into what
 * the reconciler applies — a row for one slot of a phase, or a failure of the run. Pure: a message
 * that is malformed (no context, a key that does not match its slot, a sample whose verdicts disagree
 * with `accepted`) throws `invalid_argument`, which the consumer dead-letters to `isara.controller.dlq`
 * instead of letting it count as a slot's result.
 */
import {
  type AnswerWritten,
  type DeadLetter,
  demoRefFromWire,
  type EvalDone,
  errorInfoFromWire,
  type PromptWritten,
  type RunContext,
  roundWorkKey,
  type SampleJudged,
  sampleFromWire,
  type TrainDone,
} from "@isara/contracts";
import { IsaraError, type Phase, type RunError, sampleId } from "@isara/core";
import type { TaggedRow } from "./slot-rows.js";

/** A result for one slot of a phase of the run named by `context`. */
export type IncomingRow = { readonly kind: "row"; readonly context: RunContext } & TaggedRow;

/** A stage gave up on the run's work (a dead letter, or a train/eval result that reports an error). */
export interface IncomingFailure {
  readonly kind: "failure";
  readonly run: string;
  /** Round of the work that failed, when the message says; `undefined` = unknown (undecodable work). */
  readonly round: number | undefined;
  readonly error: RunError;
  /** Idempotency key of the `failed` run event: the same failure always gives the same key. */
  readonly key: string;
}

/** What the reconciler applies. */
export type Incoming = IncomingRow | IncomingFailure;

function contextOf(message: { context?: RunContext | undefined }, what: string): RunContext {
  const context = message.context;
  if (context === undefined || context.run === "") {
    throw new IsaraError(
      "invalid_argument",
      `${what} has no run context; producers set context.run to the run id`,
    );
  }
  return context;
}

function checkSlotKey(context: RunContext, slot: number, key: string, what: string): void {
  const expected = sampleId(context.run, context.round, slot);
  if (key !== expected) {
    throw new IsaraError(
      "invalid_argument",
      `${what} for slot ${slot} of run ${context.run} round ${context.round} has idempotency key "${key}", ` +
        `expected sampleId(run, round, slot) = "${expected}"`,
    );
  }
}

function checkRoundKey(context: RunContext, phase: Phase, key: string, what: string): void {
  const expected = roundWorkKey(context.run, context.round, phase);
  if (key !== expected) {
    throw new IsaraError(
      "invalid_argument",
      `${what} of run ${context.run} round ${context.round} has idempotency key "${key}", expected "${expected}"`,
    );
  }
}

/** A `PromptWritten` as the slot's prompt row. */
export function fromPromptWritten(m: PromptWritten): IncomingRow {
  const context = contextOf(m, "PromptWritten");
  checkSlotKey(context, m.slot, m.idempotencyKey, "PromptWritten");
  return {
    kind: "row",
    context,
    phase: "prompts",
    row: {
      slot: m.slot,
      prompt: m.prompt,
      promptDemos: m.promptDemos.map(demoRefFromWire),
      droppedDemos: m.droppedDemos,
      truncated: m.truncated,
      generatorModel: m.generatorModel,
    },
  };
}

/** An `AnswerWritten` as the slot's candidate row. */
export function fromAnswerWritten(m: AnswerWritten): IncomingRow {
  const context = contextOf(m, "AnswerWritten");
  if (m.candidate === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `AnswerWritten ${m.idempotencyKey} of run ${context.run} has no candidate`,
    );
  }
  const candidate = sampleFromWire(m.candidate);
  checkSlotKey(context, candidate.slot, m.idempotencyKey, "AnswerWritten");
  if (candidate.id !== m.idempotencyKey) {
    throw new IsaraError(
      "invalid_argument",
      `AnswerWritten ${m.idempotencyKey} carries sample ${candidate.id}`,
    );
  }
  return {
    kind: "row",
    context,
    phase: "answers",
    row: { slot: candidate.slot, candidate, truncated: m.truncated },
  };
}

/** A `SampleJudged` as the slot's judged row; `accepted` must agree with the verdicts. */
export function fromSampleJudged(m: SampleJudged): IncomingRow {
  const context = contextOf(m, "SampleJudged");
  if (m.sample === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `SampleJudged ${m.idempotencyKey} of run ${context.run} has no sample`,
    );
  }
  const sample = sampleFromWire(m.sample);
  checkSlotKey(context, sample.slot, m.idempotencyKey, "SampleJudged");
  const verdicts = sample.lineage.verdicts;
  const byVerdicts = verdicts.length > 0 && verdicts.every((v) => v.accepted);
  if (byVerdicts !== m.accepted) {
    throw new IsaraError(
      "invalid_argument",
      `SampleJudged ${m.idempotencyKey} says accepted=${m.accepted}, but its ${verdicts.length} verdict(s) say ${byVerdicts}`,
    );
  }
  return { kind: "row", context, phase: "filter", row: { slot: sample.slot, sample, accepted: m.accepted } };
}

/** A `TrainDone` as the round's training row, or a failure of the run. */
export function fromTrainDone(m: TrainDone): Incoming {
  const context = contextOf(m, "TrainDone");
  checkRoundKey(context, "train", m.idempotencyKey, "TrainDone");
  const outcome = m.outcome;
  if (outcome === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `TrainDone ${m.idempotencyKey} has neither a result nor an error`,
    );
  }
  if (outcome.$case === "error") return stageFailure(context, m.idempotencyKey, "training", outcome.value);
  const { summary, adapterDir, ggufAdapterPath, losses } = outcome.value;
  if (summary === undefined || summary.adapter === "") {
    throw new IsaraError("invalid_argument", `TrainDone ${m.idempotencyKey} has no summary with the adapter`);
  }
  return {
    kind: "row",
    context,
    phase: "train",
    row: {
      slot: 0,
      adapter: summary.adapter,
      finalLoss: summary.finalLoss,
      steps: summary.steps,
      adapterDir,
      ggufAdapterPath: ggufAdapterPath ?? null,
      losses: [...losses],
    },
  };
}

/** An `EvalDone` as the round's evaluation row, or a failure of the run. */
export function fromEvalDone(m: EvalDone): Incoming {
  const context = contextOf(m, "EvalDone");
  checkRoundKey(context, "evaluate", m.idempotencyKey, "EvalDone");
  const outcome = m.outcome;
  if (outcome === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `EvalDone ${m.idempotencyKey} has neither a result nor an error`,
    );
  }
  if (outcome.$case === "error") return stageFailure(context, m.idempotencyKey, "evaluation", outcome.value);
  if (outcome.value.metrics === undefined) {
    throw new IsaraError("invalid_argument", `EvalDone ${m.idempotencyKey} has a result without metrics`);
  }
  return {
    kind: "row",
    context,
    phase: "evaluate",
    row: {
      slot: 0,
      metrics: { ...outcome.value.metrics.values },
      items: outcome.value.items,
      resultsKey: outcome.value.resultsKey,
    },
  };
}

function stageFailure(
  context: RunContext,
  key: string,
  stage: string,
  error: { code: number; message: string },
): IncomingFailure {
  const info = errorInfoFromWire(error);
  return {
    kind: "failure",
    run: context.run,
    round: context.round,
    error: { code: info.code, message: `${stage} of round ${context.round} failed: ${info.message}` },
    key: `${key}/failed`,
  };
}

/**
 * A stage's dead letter as a failure of its run. The run comes from the letter's context, else from
 * its key (the run id of every well-formed message); a letter with neither names no run and throws
 * `invalid_argument`. The event key names the original message, so the same letter read twice fails
 * the run once.
 */
export function fromDeadLetter(m: DeadLetter): IncomingFailure {
  const run = m.context?.run || Buffer.from(m.key).toString("utf8");
  if (run === "") {
    throw new IsaraError(
      "invalid_argument",
      `dead letter of ${m.originalTopic} partition ${m.partition} offset ${m.offset} names no run (no context, empty key)`,
    );
  }
  const info =
    m.error === undefined ? { code: "internal" as const, message: "" } : errorInfoFromWire(m.error);
  const group = m.consumerGroup === "" ? "a consumer" : `consumer group ${m.consumerGroup}`;
  return {
    kind: "failure",
    run,
    round: m.context?.round,
    error: {
      code: info.code,
      message:
        `${group} gave up on a ${m.originalTopic} message (partition ${m.partition}, offset ${m.offset}) after ` +
        `${m.attempts} attempt(s): ${m.reason}; fix the cause and replay the dead letter's payload`,
    },
    key: `dead-letter/${m.originalTopic}/${m.partition}/${m.offset}`,
  };
}
