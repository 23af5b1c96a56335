import { setTimeout as sleep } from "node:timers/promises";
import type { TopicSpec } from "@isara/contracts";
import { IsaraError } from "@isara/core";
import type { Logger } from "@isara/kit";
import type { Kafka } from "kafkajs";
import { isBrokerOutage } from "./broker-outage.js";
import { type EnsuredTopics, ensureTopics } from "./ensure-topics.js";
import { kafkaFailure } from "./kafka-failure.js";
import { type RetryPolicy, retryDelayMs } from "./retry-policy.js";

/** Longest a wait goes without asking `stopped`, so a shutdown is noticed within about a second. */
const STOP_CHECK_MS = 1000;

/** What {@link untilBrokerIsBack} needs. */
export interface BrokerWaitOptions {
  /** The waits between tries: `initialDelayMs`, doubling up to `maxDelayMs` (`attempts` is not used). */
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /**
   * Asked before each try and at least once a second while waiting; `true` (shutdown began, e.g.
   * `() => shutdown.started`) ends the wait. Default: never.
   */
  readonly stopped?: () => boolean;
}

/**
 * Runs `step`, something that talks to Kafka alone (connecting a client, creating the topics), and
 * runs it again, after a wait that doubles up to `maxDelayMs`, for as long as it fails because the
 * broker is away ({@link isBrokerOutage}). Why: a broker restart is not a reason for a service to
 * fail its start; it waits, not ready, and starts once the broker is back, instead of exiting and
 * leaving the retry to whoever restarts it.
 * @throws IsaraError `kafkaFailure` of any other failure, at once; `cancelled` (the last failure as
 *   its cause) once `stopped` says so.
 */
export async function untilBrokerIsBack<T>(
  what: string,
  step: () => Promise<T>,
  options: BrokerWaitOptions,
): Promise<T> {
  const stopped = options.stopped ?? (() => false);
  for (let tried = 1; ; tried++) {
    let failure: IsaraError;
    try {
      return await step();
    } catch (err) {
      failure = kafkaFailure(err);
      if (!isBrokerOutage(failure)) throw failure;
    }
    const delayMs = retryDelayMs(options.retry, tried);
    options.logger.warn({ err: failure, tried, delayMs }, `${what}: Kafka is away; trying again`);
    for (let left = delayMs; ; left -= STOP_CHECK_MS) {
      if (stopped()) {
        throw new IsaraError("cancelled", `shutdown began while ${what} waited for Kafka`, undefined, {
          cause: failure,
        });
      }
      if (left <= 0) break;
      await sleep(Math.min(left, STOP_CHECK_MS));
    }
  }
}

/**
 * Creates (or checks) `topics` through a short-lived admin client, waiting with
 * {@link untilBrokerIsBack} while the broker is away: the first step of every service's start.
 */
export function ensureTopicsWhenBrokerIsUp(
  kafka: Kafka,
  topics: readonly TopicSpec<unknown>[],
  options: BrokerWaitOptions,
): Promise<EnsuredTopics> {
  return untilBrokerIsBack(
    "creating the topics",
    async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await ensureTopics(admin, topics);
      } finally {
        await admin.disconnect();
      }
    },
    options,
  );
}
