/**
 * How Kafka's failures are classified, with the error objects kafkajs builds (its own classes, wrapped
 * the way its retrier wraps them). kafka-failure.kafka.test.ts checks the same against the errors a
 * real broker that stopped makes kafkajs throw.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IsaraError } from "@isara/core";
import {
  kafkaErrorClass,
  protocolError,
  connectionRefused as refused,
  retriesUsedUp,
  wrappedAgain,
} from "../testing/kafkajs-errors-for-tests.js";
import { errorChain, isBrokerOutage } from "./broker-outage.js";
import { kafkaFailure } from "./kafka-failure.js";

const KafkaJSGroupCoordinatorNotFound = kafkaErrorClass("KafkaJSGroupCoordinatorNotFound");
const KafkaJSNonRetriableError = kafkaErrorClass("KafkaJSNonRetriableError");
const KafkaJSProtocolError = kafkaErrorClass("KafkaJSProtocolError");
const KafkaJSRequestTimeoutError = kafkaErrorClass("KafkaJSRequestTimeoutError");

describe("a broker that is away is unavailable and a broker outage, whatever wraps it", () => {
  test("the connection error of the issue, wrapped twice by kafkajs's retriers", () => {
    const thrown = wrappedAgain(retriesUsedUp(refused()));
    assert.equal(thrown.name, "KafkaJSNonRetriableError");
    assert.equal((thrown as { retriable?: boolean }).retriable, false);
    const failure = kafkaFailure(thrown);
    assert.equal(failure.code, "unavailable");
    assert.equal(failure.retryable, true);
    assert.match(failure.message, /broker is away or moving .*ECONNREFUSED/);
    assert.equal(failure.cause, thrown);
    assert.equal(isBrokerOutage(thrown), true);
    assert.equal(isBrokerOutage(failure), true, "the IsaraError keeps the outage as its cause");
  });

  test("retries used up on a connection error, with the cause as `cause` or `originalError`", () => {
    assert.equal(kafkaFailure(retriesUsedUp(refused())).code, "unavailable");
    assert.equal(isBrokerOutage(retriesUsedUp(refused())), true);
    const older = Object.assign(new Error("retries used up"), {
      name: "KafkaJSNumberOfRetriesExceeded",
      originalError: refused(),
    });
    assert.equal(isBrokerOutage(older), true);
  });

  test("request timeouts and a group coordinator that cannot be found", () => {
    for (const err of [
      new KafkaJSRequestTimeoutError("Request Produce(key: 0, version: 7) timed out"),
      new KafkaJSGroupCoordinatorNotFound("Failed to find group coordinator"),
      wrappedAgain(retriesUsedUp(new KafkaJSRequestTimeoutError("Request timed out"))),
    ]) {
      assert.equal(kafkaFailure(err).code, "unavailable", err.name);
      assert.equal(isBrokerOutage(err), true, err.name);
    }
  });

  test("protocol errors of a leader or coordinator moving, by type, also when not retriable", () => {
    for (const type of [
      "NOT_COORDINATOR",
      "NOT_COORDINATOR_FOR_GROUP",
      "COORDINATOR_NOT_AVAILABLE",
      "GROUP_COORDINATOR_NOT_AVAILABLE",
      "LEADER_NOT_AVAILABLE",
      "REQUEST_TIMED_OUT",
      "NOT_LEADER_FOR_PARTITION",
      "NOT_LEADER_OR_FOLLOWER",
      "REBALANCE_IN_PROGRESS",
    ]) {
      const direct = protocolError(type, type !== "REBALANCE_IN_PROGRESS");
      assert.equal(kafkaFailure(direct).code, "unavailable", type);
      assert.equal(isBrokerOutage(direct), true, type);
      const wrapped = wrappedAgain(retriesUsedUp(direct));
      assert.equal(kafkaFailure(wrapped).code, "unavailable", `${type} wrapped`);
      assert.equal(isBrokerOutage(wrapped), true, `${type} wrapped`);
    }
  });

  test("a Node connection error under a kafkajs wrapper", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]) {
      const socket = Object.assign(new Error(`connect ${code} 127.0.0.1:9092`), { code, errno: -1 });
      const thrown = new KafkaJSNonRetriableError(socket, { cause: socket });
      assert.equal(kafkaFailure(thrown).code, "unavailable", code);
      assert.equal(isBrokerOutage(thrown), true, code);
    }
  });
});

describe("other failures keep their kind", () => {
  test("a bare Node ECONNREFUSED is unavailable but not a broker outage: it may be any dependency", () => {
    const llmDown = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8000"), {
      code: "ECONNREFUSED",
    });
    const failure = kafkaFailure(llmDown);
    assert.equal(failure.code, "unavailable");
    assert.equal(isBrokerOutage(llmDown), false);
    assert.equal(isBrokerOutage(failure), false);
    assert.equal(isBrokerOutage(new IsaraError("unavailable", "LLM down")), false);
  });

  test("a request the broker refuses for good is internal, wrapped or not", () => {
    const tooLarge = protocolError("MESSAGE_TOO_LARGE", false);
    for (const err of [
      new KafkaJSNonRetriableError("Invalid topic"),
      tooLarge,
      new KafkaJSNonRetriableError(tooLarge, { cause: tooLarge }),
    ]) {
      const failure = kafkaFailure(err);
      assert.equal(failure.code, "internal", err.message);
      assert.equal(failure.retryable, false);
      assert.match(failure.message, /^Kafka refused the request/);
      assert.equal(isBrokerOutage(err), false);
    }
  });

  test("a failure kafkajs calls retriable that is no outage is unavailable, not an outage", () => {
    const unknownTopic = protocolError("UNKNOWN_TOPIC_OR_PARTITION", true);
    for (const err of [unknownTopic, wrappedAgain(retriesUsedUp(unknownTopic))]) {
      assert.equal(kafkaFailure(err).code, "unavailable");
      assert.equal(isBrokerOutage(err), false);
    }
    const protocol = new KafkaJSProtocolError("The coordinator is loading");
    assert.equal((protocol as { retriable?: boolean }).retriable, true);
    assert.equal(kafkaFailure(protocol).code, "unavailable");
  });

  test("our own errors pass through; anything else goes through the kit", () => {
    const own = new IsaraError("invalid_argument", "bad");
    assert.equal(kafkaFailure(own), own);
    assert.equal(kafkaFailure(new Error("boom")).code, "internal");
  });
});

test("a cause chain that loops ends the walk instead of hanging", () => {
  const a = new KafkaJSNonRetriableError("a") as Error & { cause?: unknown };
  const b = new KafkaJSNonRetriableError("b") as Error & { cause?: unknown };
  a.cause = b;
  b.cause = a;
  assert.deepEqual(errorChain(a), [a, b]);
  assert.equal(isBrokerOutage(a), false);
  assert.equal(kafkaFailure(a).code, "internal");
  const looped = refused() as Error & { cause?: unknown };
  looped.cause = looped;
  assert.equal(isBrokerOutage(looped), true);
});
