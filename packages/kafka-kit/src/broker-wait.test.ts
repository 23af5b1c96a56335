import assert from "node:assert/strict";
import { test } from "node:test";
import { IsaraError, isIsaraError } from "@isara/core";
import { createRootLogger } from "@isara/kit";
import { connectionRefused, retriesUsedUp, wrappedAgain } from "../testing/kafkajs-errors-for-tests.js";
import { untilBrokerIsBack } from "./broker-wait.js";

const logger = createRootLogger({ level: "silent", name: "kafka-kit-test" });
const retry = { attempts: 1, initialDelayMs: 1, maxDelayMs: 2 };
const brokerAway = () => wrappedAgain(retriesUsedUp(connectionRefused()));

test("a step that meets the broker away is tried again until it passes, past any attempt count", async () => {
  let tries = 0;
  const result = await untilBrokerIsBack(
    "creating the topics",
    async () => {
      tries++;
      if (tries <= 5) throw brokerAway();
      return "ready";
    },
    { retry, logger },
  );
  assert.equal(result, "ready");
  assert.equal(tries, 6);
});

test("any other failure is thrown at once, classified", async () => {
  let tries = 0;
  await assert.rejects(
    untilBrokerIsBack(
      "creating the topics",
      async () => {
        tries++;
        throw new IsaraError("failed_precondition", "isara.train.work has 1 partition");
      },
      { retry, logger },
    ),
    (err: unknown) => isIsaraError(err, "failed_precondition"),
  );
  assert.equal(tries, 1);
});

test("a shutdown ends the wait: cancelled, with the broker's failure as the cause", async () => {
  let shuttingDown = false;
  const waiting = untilBrokerIsBack(
    "connecting the producer",
    async () => {
      setImmediate(() => {
        shuttingDown = true;
      });
      throw brokerAway();
    },
    {
      retry: { attempts: 1, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      logger,
      stopped: () => shuttingDown,
    },
  );
  await assert.rejects(
    waiting,
    (err: unknown) =>
      isIsaraError(err, "cancelled") &&
      isIsaraError(err.cause, "unavailable") &&
      /ECONNREFUSED/.test(err.cause.message),
  );
});
