import type { TopicSpec } from "@isara/contracts";
import { IsaraError } from "@isara/core";
import type { Logger } from "@isara/kit";
import type { Consumer, EachMessagePayload, Kafka, Producer } from "kafkajs";
import { type CrashRestart, restartAfterCrash } from "./crash-restart.js";
import { deadLetterTopicOf } from "./dead-letter.js";
import { kafkaFailure } from "./kafka-failure.js";
import { createMessageProcessor, type StageHandler } from "./message-processor.js";
import type { OutgoingMessage, WithRunContext } from "./outgoing-message.js";
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";
import type { StageMetrics } from "./stage-metrics.js";

/** Where a stage consumer is in its life; readiness is `joined`. */
export type StageConsumerState = "idle" | "joining" | "joined" | "rebalancing" | "stopped" | "crashed";

/** What {@link createStageConsumer} needs. */
export interface StageConsumerOptions<T extends WithRunContext> {
  readonly kafka: Kafka;
  /** Connected producer for results and dead letters; the caller closes it after this consumer. */
  readonly producer: Producer;
  /** Consumer group: the service name, as the catalogue's `consumers` lists it. */
  readonly groupId: string;
  /** The topic to consume; its catalogue entry names the dead-letter topic. */
  readonly topic: TopicSpec<T>;
  readonly handle: StageHandler<T>;
  readonly logger: Logger;
  readonly metrics?: StageMetrics;
  /** Retries of transient failures (default {@link DEFAULT_RETRY_POLICY}). */
  readonly retry?: RetryPolicy;
  /** On close, how long the message in flight may take to finish before it is aborted (default 10 s). */
  readonly drainTimeoutMs?: number;
  /** Group heartbeat, also sent while a long message is handled (default 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** The broker drops a member silent this long (default 30 s). */
  readonly sessionTimeoutMs?: number;
  /** Fetch long-poll; also bounds how long leaving the group waits (default 5 s). */
  readonly maxWaitTimeMs?: number;
}

/** A running stage: one message at a time from its topic, committed only after its effects. */
export interface StageConsumer {
  /** Connects, subscribes (from the beginning for a new group) and joins the group. */
  start(): Promise<void>;
  readonly state: StageConsumerState;
  /** Partitions of the topic assigned to this member at the last join. */
  readonly partitions: readonly number[];
  /** Readiness check for the kit's health registry: passes once the member has joined the group. */
  readiness(): string;
  /**
   * Liveness check: fails only when `start` failed. A consumer that crashes later is restarted (by
   * kafkajs, or in place by {@link restartAfterCrash}) and is `joining` meanwhile, so not ready.
   */
  liveness(): boolean;
  /**
   * Stops intake (pauses the topic), lets the message in flight finish for `drainTimeoutMs`, then
   * aborts it (it stays uncommitted and is delivered again, to this group's next owner of its
   * partition), and leaves the group. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * A consumer for one stage of the distributed mode, with the delivery rules of docs/topics.md:
 * at-least-once (offsets are committed by hand, only after the handler's effects and its published
 * results, or after the dead letter); one message at a time per member (a stage's work, such as an
 * evaluation, already uses the whole LLM); transient failures retried in place and poison
 * dead-lettered (see `createMessageProcessor`); heartbeats sent while a long message runs, so the
 * member keeps its partitions. If a rebalance takes the partition meanwhile, the commit fails and the
 * message is redelivered elsewhere, which idempotent handlers answer without doing the work twice. A
 * crash (a broker restart, say) never ends the consumer: it is restarted until it joins again.
 */
export function createStageConsumer<T extends WithRunContext>(
  options: StageConsumerOptions<T>,
): StageConsumer {
  const retry = checkRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
  const log = options.logger.child({ component: "stage-consumer", groupId: options.groupId });
  const processMessage = createMessageProcessor({
    topic: options.topic,
    deadLetterTopic: deadLetterTopicOf(options.topic),
    groupId: options.groupId,
    handle: options.handle,
    publish: (messages) => publish(options.producer, messages),
    retry,
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });

  let consumer: Consumer | undefined;
  let recovery: CrashRestart | undefined;
  let state: StageConsumerState = "idle";
  let partitions: readonly number[] = [];
  let stopping = false;
  let inFlight: { readonly abort: AbortController; readonly done: Promise<void> } | undefined;
  let closing: Promise<void> | undefined;

  async function onMessage(payload: EachMessagePayload): Promise<void> {
    // Intake has stopped: leave the message uncommitted for the partition's next owner.
    if (stopping) return;
    const abort = new AbortController();
    const done = handleOne(payload, abort.signal);
    inFlight = { abort, done };
    try {
      await done;
    } finally {
      inFlight = undefined;
    }
  }

  async function handleOne(payload: EachMessagePayload, signal: AbortSignal): Promise<void> {
    const { topic, partition, message, heartbeat } = payload;
    const beat = setInterval(() => {
      heartbeat().catch((err: unknown) =>
        log.debug({ err, partition }, "heartbeat failed while a message runs; the group may rebalance"),
      );
    }, heartbeatIntervalMs);
    let outcome: Awaited<ReturnType<typeof processMessage>>;
    try {
      outcome = await processMessage({ ...message, topic, partition }, signal);
    } finally {
      clearInterval(beat);
    }
    options.metrics?.messages.inc({ topic, outcome });
    if (outcome === "interrupted") return;
    const next = (BigInt(message.offset) + 1n).toString();
    try {
      await consumer?.commitOffsets([{ topic, partition, offset: next }]);
    } catch (err) {
      log.warn(
        { err: kafkaFailure(err), partition, offset: message.offset },
        "commit failed (the partition may have moved); the message will come again and be answered idempotently",
      );
    }
  }

  async function close(): Promise<void> {
    stopping = true;
    const current = consumer;
    if (current === undefined) return;
    try {
      current.pause([{ topic: options.topic.name }]);
    } catch {
      // not running yet: nothing is fetched anyway
    }
    const running = inFlight;
    if (running !== undefined) {
      const timer = new AbortController();
      const finished = await Promise.race([
        running.done.then(() => true),
        new Promise<false>((resolve) => {
          const t = setTimeout(() => resolve(false), drainTimeoutMs);
          timer.signal.addEventListener("abort", () => clearTimeout(t));
        }),
      ]);
      timer.abort();
      if (!finished) {
        log.warn(
          { drainTimeoutMs },
          "message still running at shutdown; aborting it (it will be redelivered)",
        );
        running.abort.abort(new IsaraError("cancelled", "the service is shutting down"));
        await running.done;
      }
    }
    await recovery?.stop();
    await current.disconnect();
    state = "stopped";
  }

  return {
    async start() {
      if (consumer !== undefined) {
        throw new IsaraError("failed_precondition", `stage consumer ${options.groupId} was started already`);
      }
      const c = options.kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        heartbeatInterval: heartbeatIntervalMs,
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 5000,
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, (e) => {
        state = "joined";
        partitions = [...(e.payload.memberAssignment[options.topic.name] ?? [])].sort((a, b) => a - b);
        log.info({ partitions }, "joined the consumer group");
      });
      c.on(c.events.REBALANCING, () => {
        state = "rebalancing";
      });
      c.on(c.events.CRASH, (e) => {
        // Restarted either way: by kafkajs itself, or in place by restartAfterCrash.
        state = "joining";
        log.error({ err: e.payload.error, restart: e.payload.restart }, "the consumer crashed");
      });
      c.on(c.events.STOP, () => {
        state = "stopped";
      });
      state = "joining";
      try {
        await c.connect();
        await c.subscribe({ topics: [options.topic.name], fromBeginning: true });
        const run = () =>
          c.run({ autoCommit: false, partitionsConsumedConcurrently: 1, eachMessage: onMessage });
        recovery = restartAfterCrash({ consumer: c, run, logger: log });
        await run();
      } catch (err) {
        state = "crashed";
        throw kafkaFailure(err);
      }
    },
    get state() {
      return state;
    },
    get partitions() {
      return partitions;
    },
    readiness() {
      if (state !== "joined") throw new Error(`consumer group ${options.groupId} is ${state}`);
      return `joined ${options.groupId} with ${partitions.length} partition(s) of ${options.topic.name}`;
    },
    liveness() {
      return state !== "crashed";
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}

/** Sends records grouped by topic in one request; resolves once the broker acknowledged all of them. */
async function publish(producer: Producer, messages: readonly OutgoingMessage[]): Promise<void> {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
  await producer.sendBatch({
    topicMessages: [...byTopic].map(([topic, list]) => ({
      topic,
      messages: list.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
    })),
  });
}
