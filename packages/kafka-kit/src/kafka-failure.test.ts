import assert from "node:assert/strict";
import { test } from "node:test";
import { IsaraError } from "@isara/core";
import kafkajs from "kafkajs";
import { kafkaFailure } from "./kafka-failure.js";

// kafkajs is CommonJS and spreads its error classes into its exports, which ESM cannot name.
const { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSProtocolError } = kafkajs;

test("a broker that is away is retryable; a refusal is not; our own errors pass through", () => {
  const away = kafkaFailure(
    new KafkaJSConnectionError("Connection error: connect ECONNREFUSED 127.0.0.1:9092"),
  );
  assert.equal(away.code, "unavailable");
  assert.equal(away.retryable, true);
  assert.match(away.message, /ECONNREFUSED/);

  const refused = kafkaFailure(new KafkaJSNonRetriableError("Invalid topic"));
  assert.equal(refused.code, "internal");
  assert.equal(refused.retryable, false);

  const protocol = new KafkaJSProtocolError("The coordinator is loading");
  assert.equal(protocol.retriable, true);
  assert.equal(kafkaFailure(protocol).code, "unavailable");

  const own = new IsaraError("invalid_argument", "bad");
  assert.equal(kafkaFailure(own), own);
  assert.equal(kafkaFailure(new Error("boom")).code, "internal");
});
