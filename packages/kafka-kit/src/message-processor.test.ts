/**
 * The delivery rules of a stage, in memory: a real topic codec and real DeadLetter encoding, with
 * the broker replaced by a list (publishing is the only thing the rules need from it).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type DeadLetter,
  decodeTopicMessage,
  ErrorCode,
  type EvalWork,
  encodeTopicMessage,
  roundWorkKey,
  TOPICS,
} from "@isara/contracts";
import { IsaraError } from "@isara/core";
import { createMetrics, createRootLogger } from "@isara/kit";
import { connectionRefused, retriesUsedUp, wrappedAgain } from "../testing/kafkajs-errors-for-tests.js";
import { deadLetterTopicOf } from "./dead-letter.js";
import { kafkaFailure } from "./kafka-failure.js";
import { createMessageProcessor, type ReceivedMessage, type StageHandler } from "./message-processor.js";
import { type OutgoingMessage, outgoingMessage } from "./outgoing-message.js";
import type { RetryPolicy } from "./retry-policy.js";
import { createStageMetrics } from "./stage-metrics.js";

const logger = createRootLogger({ level: "silent", name: "kafka-kit-test" });
const FAST = { attempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
const FAILED_AT = new Date("2025-01-02T03:04:05.000Z");
/** What a producer's `send` threw in the issue once the broker had been away past kafkajs's retries. */
const brokerAway = () => wrappedAgain(retriesUsedUp(connectionRefused()));

const work: EvalWork = {
  context: { run: "run-1", domain: "truth", round: 2, correlationId: "req-9" },
  idempotencyKey: roundWorkKey("run-1", 2, "evaluate"),
  model: { baseModel: "tiny" },
  evaluation: { kind: { $case: "zeroShot", value: {} } },
  resultsKey: "run-1/round-2/eval.jsonl",
};

function received(value: Buffer | null, headers: ReceivedMessage["headers"] = {}): ReceivedMessage {
  return {
    topic: TOPICS.evalWork.name,
    partition: 4,
    offset: "17",
    key: Buffer.from("run-1"),
    value,
    headers,
  };
}

/**
 * A processor whose published records land in `sent`; the first `failPublishes` publishes are
 * refused with `publishError()` (by default an `unavailable` IsaraError).
 */
function setup(
  handle: StageHandler<EvalWork>,
  failPublishes = 0,
  retry: RetryPolicy = FAST,
  publishError: () => unknown = () => new IsaraError("unavailable", "broker away"),
) {
  const sent: OutgoingMessage[] = [];
  let refused = 0;
  const metrics = createMetrics();
  const process = createMessageProcessor({
    topic: TOPICS.evalWork,
    deadLetterTopic: deadLetterTopicOf(TOPICS.evalWork),
    groupId: "evaluation",
    handle,
    publish: async (records) => {
      if (refused < failPublishes) {
        refused++;
        throw publishError();
      }
      sent.push(...records);
    },
    retry,
    logger,
    metrics: createStageMetrics(metrics),
    now: () => FAILED_AT,
  });
  const series = async (name: string) => (await metrics.registry.getSingleMetricAsString(name)).trim();
  return { sent, process, series };
}

const done = (w: EvalWork): OutgoingMessage =>
  outgoingMessage(TOPICS.evalDone, {
    context: w.context,
    idempotencyKey: w.idempotencyKey,
    outcome: undefined,
  });

function deadLetterIn(sent: readonly OutgoingMessage[]): DeadLetter {
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.topic, "isara.eval.dlq");
  return decodeTopicMessage(TOPICS.evalDeadLetter, sent[0]?.value);
}

describe("a message that is handled", () => {
  test("publishes the handler's results, keyed by run, with the run context in the headers", async () => {
    const seen: number[] = [];
    const { sent, process } = setup(async (w, job) => {
      seen.push(job.attempt);
      assert.equal(job.source.offset, "17");
      return [done(w)];
    });
    const outcome = await process(
      received(encodeTopicMessage(TOPICS.evalWork, work)),
      new AbortController().signal,
    );
    assert.equal(outcome, "done");
    assert.deepEqual(seen, [1]);
    assert.equal(sent[0]?.topic, "isara.eval.done");
    assert.equal(sent[0]?.key, "run-1");
    assert.deepEqual(sent[0]?.headers, {
      "x-request-id": "req-9",
      "x-isara-run": "run-1",
      "x-isara-domain": "truth",
      "x-isara-round": "2",
    });
  });

  test("a transient failure is retried in place until it passes", async () => {
    const attempts: number[] = [];
    const { sent, process, series } = setup(async (w, job) => {
      attempts.push(job.attempt);
      if (job.attempt < 3) throw new IsaraError("unavailable", "LLM down");
      return [done(w)];
    });
    const outcome = await process(
      received(encodeTopicMessage(TOPICS.evalWork, work)),
      new AbortController().signal,
    );
    assert.equal(outcome, "done");
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.equal(sent.length, 1);
    assert.match(await series("kafka_retries_total"), /topic="isara.eval.work",code="unavailable"} 2/);
  });

  test("a publish that fails is retried too, running the (idempotent) handler again", async () => {
    let calls = 0;
    const { sent, process } = setup(async (w) => {
      calls++;
      return [done(w)];
    }, 1);
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), new AbortController().signal),
      "done",
    );
    assert.equal(calls, 2);
    assert.equal(sent.length, 1);
  });
});

describe("a message the stage gives up on", () => {
  test("an undecodable value is dead-lettered at once, byte for byte, with the reason", async () => {
    let called = false;
    const { sent, process, series } = setup(async () => {
      called = true;
      return [];
    });
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const outcome = await process(
      received(garbage, { "x-isara-run": Buffer.from("run-1"), "x-request-id": "req-7" }),
      new AbortController().signal,
    );
    assert.equal(outcome, "dead_lettered");
    assert.equal(called, false);
    const letter = deadLetterIn(sent);
    assert.deepEqual(letter.payload, garbage);
    assert.deepEqual(letter.key, Buffer.from("run-1"));
    assert.equal(letter.originalTopic, "isara.eval.work");
    assert.equal(letter.partition, 4);
    assert.equal(letter.offset, "17");
    assert.equal(letter.attempts, 1);
    assert.equal(letter.consumerGroup, "evaluation");
    assert.equal(letter.error?.code, ErrorCode.INVALID_ARGUMENT);
    assert.match(
      letter.reason,
      /^poison message: message on isara.eval.work is not a valid isara.v1.EvalWork/,
    );
    assert.equal(letter.context, undefined);
    assert.deepEqual(letter.failedAt, FAILED_AT);
    assert.deepEqual(sent[0]?.headers, { "x-request-id": "req-7", "x-isara-run": "run-1" });
    assert.match(await series("dead_letters_total"), /topic="isara.eval.work",code="invalid_argument"} 1/);
  });

  test("a handler error that retrying cannot fix is dead-lettered with the run's context", async () => {
    const { sent, process } = setup(async () => {
      throw new IsaraError("not_found", "run run-1 has no domain");
    });
    const outcome = await process(
      received(encodeTopicMessage(TOPICS.evalWork, work)),
      new AbortController().signal,
    );
    assert.equal(outcome, "dead_lettered");
    const letter = deadLetterIn(sent);
    assert.equal(letter.reason, "poison message (not_found): run run-1 has no domain");
    assert.equal(letter.error?.code, ErrorCode.NOT_FOUND);
    assert.deepEqual(letter.context, work.context);
  });

  test("a transient failure that outlasts the retries is dead-lettered with the number of attempts", async () => {
    const { sent, process } = setup(async () => {
      throw new IsaraError("unavailable", "LLM down");
    });
    const outcome = await process(
      received(encodeTopicMessage(TOPICS.evalWork, work)),
      new AbortController().signal,
    );
    assert.equal(outcome, "dead_lettered");
    const letter = deadLetterIn(sent);
    assert.equal(letter.attempts, 3);
    assert.equal(letter.reason, "gave up after 3 attempts (unavailable): LLM down");
  });

  test("a dead letter the broker refuses at first is written once it can be", async () => {
    const { sent, process } = setup(async () => {
      throw new IsaraError("invalid_argument", "bad");
    }, 2);
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), new AbortController().signal),
      "dead_lettered",
    );
    assert.equal(sent.length, 1);
  });
});

describe("shutdown", () => {
  test("an abort while the handler runs leaves the message interrupted: not done, not dead-lettered", async () => {
    const abort = new AbortController();
    const { sent, process } = setup(async () => {
      abort.abort();
      throw new IsaraError("cancelled", "the LLM stopped");
    });
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), abort.signal),
      "interrupted",
    );
    assert.equal(sent.length, 0);
  });

  test("an abort while waiting to retry ends the wait: interrupted", async () => {
    const abort = new AbortController();
    const patient = { attempts: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const { sent, process } = setup(
      async () => {
        setImmediate(() => abort.abort());
        throw new IsaraError("unavailable", "LLM down");
      },
      0,
      patient,
    );
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), abort.signal),
      "interrupted",
    );
    assert.equal(sent.length, 0);
  });
});

describe("a broker that is away", () => {
  test("publishing that fails for more tries than `attempts` is retried until it passes, never dead-lettered", async () => {
    const attempts: number[] = [];
    const failures = FAST.attempts * 3;
    const { sent, process, series } = setup(
      async (w, job) => {
        attempts.push(job.attempt);
        return [done(w)];
      },
      failures,
      FAST,
      brokerAway,
    );
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), new AbortController().signal),
      "done",
    );
    assert.equal(attempts.length, failures + 1);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.topic, "isara.eval.done");
    assert.match(await series("kafka_retries_total"), new RegExp(`code="unavailable"} ${failures}`));
    assert.doesNotMatch(await series("dead_letters_total"), /isara.eval.work/);
  });

  test("a handler failure that wraps a broker outage is retried past `attempts` too", async () => {
    let calls = 0;
    const { sent, process } = setup(async (w) => {
      calls++;
      // What the controller's handler throws when publishing the next work fails.
      if (calls <= FAST.attempts * 2) throw kafkaFailure(brokerAway());
      return [done(w)];
    });
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), new AbortController().signal),
      "done",
    );
    assert.equal(calls, FAST.attempts * 2 + 1);
    assert.equal(sent[0]?.topic, "isara.eval.done");
  });

  test("the handler's own unavailable still gives up after `attempts`, outage retries not counted", async () => {
    let calls = 0;
    const { sent, process } = setup(
      async (w) => {
        calls++;
        if (calls % 2 === 1) return [done(w)];
        throw new IsaraError("unavailable", "LLM down");
      },
      FAST.attempts,
      FAST,
      brokerAway,
    );
    // Odd tries: the handler succeeds but its publish meets the outage; even tries: the LLM is down.
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), new AbortController().signal),
      "dead_lettered",
    );
    assert.equal(calls, FAST.attempts * 2);
    const letter = deadLetterIn(sent);
    assert.equal(letter.attempts, FAST.attempts * 2);
    assert.equal(letter.reason, `gave up after ${FAST.attempts * 2} attempts (unavailable): LLM down`);
  });

  test("poison is still dead-lettered at once, its dead letter written once the broker is back", async () => {
    let calls = 0;
    const { sent, process } = setup(
      async () => {
        calls++;
        throw new IsaraError("invalid_argument", "the work names no model");
      },
      FAST.attempts * 3,
      FAST,
      brokerAway,
    );
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), new AbortController().signal),
      "dead_lettered",
    );
    assert.equal(calls, 1);
    const letter = deadLetterIn(sent);
    assert.equal(letter.attempts, 1);
    assert.equal(letter.reason, "poison message (invalid_argument): the work names no model");
  });

  test("shutdown ends the wait for the broker: interrupted, nothing dead-lettered", async () => {
    const abort = new AbortController();
    const patient = { attempts: 2, initialDelayMs: 60_000, maxDelayMs: 60_000 };
    const { sent, process } = setup(
      async (w) => {
        setImmediate(() => abort.abort());
        return [done(w)];
      },
      Number.POSITIVE_INFINITY,
      patient,
      brokerAway,
    );
    assert.equal(
      await process(received(encodeTopicMessage(TOPICS.evalWork, work)), abort.signal),
      "interrupted",
    );
    assert.equal(sent.length, 0);
  });
});
