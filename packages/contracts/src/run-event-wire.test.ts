import assert from "node:assert/strict";
import { test } from "node:test";
import {
  advance,
  type RunEvent as CoreRunEvent,
  createRunState,
  domainConfigSchema,
  failedEvent,
  IsaraError,
  isIsaraError,
} from "@isara/core";
import type { RunEvent } from "./gen/isara/v1/topics.js";
import { roundWorkKey } from "./idempotency-keys.js";
import { runEventFromWire, runEventToWire } from "./run-event-wire.js";
import { decodeTopicMessage, encodeTopicMessage } from "./topic-codec.js";
import { TOPICS } from "./topics.js";

const context = { run: "run-1", domain: "truthful", round: 1, correlationId: "req-42" };

/** Core event → wire → the bytes on isara.run.events → wire → core, with its envelope. */
function overTheTopic(event: CoreRunEvent, key?: string) {
  const value = encodeTopicMessage(TOPICS.runEvents, runEventToWire(event, context, key));
  return runEventFromWire(decodeTopicMessage(TOPICS.runEvents, value));
}

const events: readonly CoreRunEvent[] = [
  { type: "phase-completed", round: 1, phase: "prompts", written: 512 },
  { type: "phase-completed", round: 1, phase: "answers", written: 0 },
  {
    type: "phase-completed",
    round: 1,
    phase: "filter",
    written: 512,
    accepted: 300,
    rejectedBy: { "rouge-l": 150, "min-words": 80, "exact-duplicate": 0 },
  },
  {
    type: "phase-completed",
    round: 1,
    phase: "train",
    adapter: "round-1/train",
    finalLoss: 1.375,
    steps: 38,
  },
  { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL_diff: -0.125, accuracy: 0 } },
  { type: "phase-completed", round: 0, phase: "evaluate", metrics: {} },
  {
    type: "failed",
    error: { code: "unavailable", message: "vLLM at http://llm:8000 refused the connection" },
  },
  { type: "cancelled" },
  { type: "resumed" },
];

test("every kind of run event crosses isara.run.events unchanged, with its context", () => {
  for (const event of events) {
    const back = overTheTopic(event, event.type === "phase-completed" ? undefined : "req-42");
    assert.deepEqual(back.event, event, JSON.stringify(event));
    assert.deepEqual(back.context, context);
  }
});

test("a phase-completed event gets the deterministic key run/round/phase; others keep the given key", () => {
  assert.equal(overTheTopic(events[2] as CoreRunEvent).idempotencyKey, "run-1/1/filter");
  assert.equal(overTheTopic({ type: "cancelled" }, "cancel-7").idempotencyKey, "cancel-7");
  assert.throws(
    () => roundWorkKey("", 1, "train"),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
  assert.throws(
    () => roundWorkKey("run-1", -1, "train"),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
  assert.throws(
    () => runEventToWire({ type: "resumed" }, context),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});

test("an event read from the wire drives core's state machine like a local one", () => {
  const config = domainConfigSchema.parse({ name: "truthful", isara: { rounds: 1, promptsPerRound: 4 } });
  let state = createRunState({ runId: "run-1", config, mode: "isara" });
  const remote: CoreRunEvent[] = [
    { type: "phase-completed", round: 0, phase: "evaluate", metrics: { rougeL_diff: 0.1 } },
    { type: "phase-completed", round: 1, phase: "prompts", written: 4 },
    failedEvent(new IsaraError("unavailable", "the LLM is down")),
    { type: "resumed" },
  ];
  for (const event of remote) state = advance(state, overTheTopic(event, "k").event);
  assert.equal(state.status, "running");
  assert.equal(state.phase, "answers");
  assert.deepEqual(state.rounds[1]?.prompts, { written: 4 });
});

test("malformed events from the wire are refused with invalid_argument before they reach the state", () => {
  const valid = runEventToWire({ type: "phase-completed", round: 1, phase: "prompts", written: 3 }, context);
  const cases: [string, RunEvent][] = [
    ["no variant", { ...valid, event: undefined }],
    [
      "no phase result",
      { ...valid, event: { $case: "phaseCompleted", value: { round: 1, result: undefined } } },
    ],
    ["failed without an error", { ...valid, event: { $case: "failed", value: { error: undefined } } }],
    ["no context", { ...valid, context: undefined }],
    ["no key", { ...valid, idempotencyKey: "" }],
    [
      "empty rejectedBy filter name",
      {
        ...valid,
        event: {
          $case: "phaseCompleted",
          value: {
            round: 1,
            result: { $case: "filter", value: { written: 2, accepted: 1, rejectedBy: { "": 1 } } },
          },
        },
      },
    ],
  ];
  for (const [what, wire] of cases) {
    assert.throws(
      () => runEventFromWire(wire),
      (err: unknown) => isIsaraError(err, "invalid_argument"),
      what,
    );
  }
});
