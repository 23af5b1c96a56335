import assert from "node:assert/strict";
import { test } from "node:test";
import { type DeadLetter, ErrorCode, type SampleJudged, sampleToWire } from "@isara/contracts";
import { isIsaraError, type Sample, sampleId } from "@isara/core";
import {
  fromAnswerWritten,
  fromDeadLetter,
  fromEvalDone,
  fromPromptWritten,
  fromSampleJudged,
  fromTrainDone,
} from "./result-intake.js";

const context = { run: "run-a", domain: "alpha", round: 1, correlationId: "req-1" };

function sample(slot: number, verdicts: boolean[]): Sample {
  return {
    id: sampleId("run-a", 1, slot),
    run: "run-a",
    domain: "alpha",
    round: 1,
    setIndex: 1,
    slot,
    prompt: "p",
    response: "r",
    lineage: {
      promptDemos: [{ id: "seed", setIndex: 0, score: null }],
      answerDemos: [{ id: "seed", setIndex: 0, score: 0.9 }],
      promptTemplateVersion: "isara-conv-v1",
      generatorModel: "m",
      verdicts: verdicts.map((accepted) => ({ filter: "min-words", accepted, reason: "why" })),
    },
  };
}

test("a PromptWritten becomes its slot's row; a key that is not the slot's sample id is refused", () => {
  const key = sampleId("run-a", 1, 2);
  const incoming = fromPromptWritten({
    context,
    idempotencyKey: key,
    slot: 2,
    prompt: "What?",
    promptDemos: [{ id: "seed", setIndex: 0 }],
    droppedDemos: 1,
    truncated: true,
    generatorModel: "tiny",
  });
  assert.deepEqual(incoming, {
    kind: "row",
    context,
    phase: "prompts",
    row: {
      slot: 2,
      prompt: "What?",
      promptDemos: [{ id: "seed", setIndex: 0, score: null }],
      droppedDemos: 1,
      truncated: true,
      generatorModel: "tiny",
    },
  });
  assert.throws(
    () =>
      fromPromptWritten({
        context,
        idempotencyKey: key,
        slot: 3,
        prompt: "",
        promptDemos: [],
        droppedDemos: 0,
        truncated: false,
        generatorModel: "",
      }),
    (err) => isIsaraError(err, "invalid_argument") && /slot 3/.test(err.message),
  );
  assert.throws(
    () =>
      fromPromptWritten({
        context: undefined,
        idempotencyKey: key,
        slot: 2,
        prompt: "",
        promptDemos: [],
        droppedDemos: 0,
        truncated: false,
        generatorModel: "",
      }),
    (err) => isIsaraError(err, "invalid_argument") && /no run context/.test(err.message),
  );
});

test("an AnswerWritten keeps the candidate's lineage; a judged sample must agree with its verdicts", () => {
  const candidate = sample(1, []);
  const answer = fromAnswerWritten({
    context,
    idempotencyKey: candidate.id,
    candidate: sampleToWire(candidate),
    truncated: false,
  });
  assert.ok(answer.kind === "row" && answer.phase === "answers");
  assert.deepEqual(answer.row.candidate, candidate);

  const judged = sample(1, [true, false]);
  const message: SampleJudged = {
    context,
    idempotencyKey: judged.id,
    sample: sampleToWire(judged),
    accepted: false,
  };
  const row = fromSampleJudged(message);
  assert.ok(row.phase === "filter" && row.row.accepted === false);
  assert.throws(
    () => fromSampleJudged({ ...message, accepted: true }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /accepted=true, but its 2 verdict\(s\) say false/.test(err.message),
  );
});

test("a train or eval result with an error fails the run with the stage's reason", () => {
  const failure = fromTrainDone({
    context,
    idempotencyKey: "run-a/1/train",
    outcome: { $case: "error", value: { code: ErrorCode.RESOURCE_EXHAUSTED, message: "GPU out of memory" } },
  });
  assert.deepEqual(failure, {
    kind: "failure",
    run: "run-a",
    round: 1,
    error: { code: "resource_exhausted", message: "training of round 1 failed: GPU out of memory" },
    key: "run-a/1/train/failed",
  });
  const done = fromEvalDone({
    context,
    idempotencyKey: "run-a/1/evaluate",
    outcome: {
      $case: "result",
      value: { metrics: { values: { rougeL_diff: 0.3 } }, resultsKey: "k", items: 3 },
    },
  });
  assert.ok(done.kind === "row" && done.phase === "evaluate");
  assert.deepEqual(done.row.metrics, { rougeL_diff: 0.3 });
  assert.throws(
    () => fromEvalDone({ context, idempotencyKey: "run-a/1/train", outcome: undefined }),
    (err) => isIsaraError(err, "invalid_argument") && /expected "run-a\/1\/evaluate"/.test(err.message),
  );
});

test("a stage's dead letter fails its run, named by context or by key, with the stage's reason", () => {
  const letter: DeadLetter = {
    originalTopic: "isara.prompts.work",
    partition: 4,
    offset: "17",
    key: Buffer.from("run-a"),
    payload: Buffer.from([1, 2]),
    reason: "gave up after 8 attempts (unavailable): the LLM server is down",
    error: { code: ErrorCode.UNAVAILABLE, message: "the LLM server is down" },
    attempts: 8,
    consumerGroup: "generation",
    context: undefined,
    failedAt: new Date(0),
  };
  const failure = fromDeadLetter(letter);
  assert.equal(failure.run, "run-a");
  assert.equal(failure.round, undefined);
  assert.equal(failure.error.code, "unavailable");
  assert.match(
    failure.error.message,
    /consumer group generation gave up on a isara.prompts.work message \(partition 4, offset 17\) after 8 attempt\(s\): gave up after 8 attempts/,
  );
  assert.equal(failure.key, "dead-letter/isara.prompts.work/4/17");
  assert.equal(fromDeadLetter({ ...letter, key: Buffer.alloc(0), context }).round, 1);
  assert.throws(
    () => fromDeadLetter({ ...letter, key: Buffer.alloc(0) }),
    (err) => isIsaraError(err, "invalid_argument") && /names no run/.test(err.message),
  );
});
