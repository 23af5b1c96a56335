/**
 * What every service's Kafka test needs besides the broker: an observer that records what the service
 * publishes, and a producer that sends work the way the controller does. One definition, so the five
 * services' `app.kafka.test.ts` files hold only what differs (the app, its fixtures, the assertions).
 */
import type { Consumer, IHeaders, Kafka, Producer } from "kafkajs";

/** A record the observer read from an output topic, headers as text. */
export interface SeenRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** Kafka headers as plain strings (kafkajs hands them out as Buffers). */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Records everything published to some topics from their beginning, in arrival order. */
export interface TopicObserver {
  /** Every record seen so far. */
  readonly seen: readonly SeenRecord[];
  /** The records of one topic (and one key, when given). */
  on(topic: string, key?: string): SeenRecord[];
  /** Stops reading. */
  disconnect(): Promise<void>;
}

/**
 * Subscribes a fresh consumer group (`groupId`, default "observer") to `topics` from the beginning and
 * records every message. Resolves once the consumer runs; records arrive as they are published.
 */
export async function observeTopics(
  kafka: Kafka,
  topics: readonly string[],
  groupId = "observer",
): Promise<TopicObserver> {
  const seen: SeenRecord[] = [];
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      seen.push({
        topic,
        key: String(message.key),
        value: message.value ?? Buffer.alloc(0),
        headers: textHeaders(message.headers),
      });
    },
  });
  return {
    seen,
    on: (topic, key) => seen.filter((s) => s.topic === topic && (key === undefined || s.key === key)),
    disconnect: () => consumer.disconnect(),
  };
}

/** Sends one record with text headers, as a test's stand-in for the service upstream. */
export async function sendRecord(
  producer: Producer,
  topic: string,
  value: Buffer,
  key: string,
  headers: Record<string, string> = {},
): Promise<void> {
  await producer.send({ topic, messages: [{ key, value, headers }] });
}

/**
 * Stage-service timings for tests on a real broker: quick retries, a 2 s drain, polls every 200 ms and
 * heartbeats every 500 ms, so a test sees redelivery, dead letters and shutdown in seconds rather than
 * the production defaults' minutes. Spread into a service's app options; override what a test needs.
 */
export const TEST_STAGE_TIMINGS = {
  retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
  drainTimeoutMs: 2000,
  shutdownTimeoutMs: 10_000,
  consumer: { heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
} as const;
