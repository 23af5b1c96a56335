/**
 * The generation service's Kafka consumer: one consumer group over several stage topics (prompt and
 * answer work), each message handled by kafka-kit's message processor (decode, handler, publish,
 * retry transient failures in place, dead-letter poison with the reason). It differs from kafka-kit's
 * one-at-a-time stage consumer in one way: a fetched batch of a partition is worked on concurrently,
 * up to a limit shared by all partitions (the LLM's parallelism), because one slot is one short
 * completion and the LLM serves several at once. Offsets are committed after the batch, up to the
 * last message before the first unfinished one, so a message is committed only after its effects and
 * those of every message before it on its partition (docs/topics.md: "Keys and partitions").
 */
import { IsaraError } from "@isara/core";
import {
  type CrashRestart,
  kafkaFailure,
  type MessageOutcome,
  type ReceivedMessage,
  restartAfterCrash,
  type StageMetrics,
} from "@isara/kafka-kit";
import type { Gauge, Logger } from "@isara/kit";
import type { Consumer, EachBatchPayload, Kafka } from "kafkajs";
import { createLimiter } from "./limiter.js";

/** Handles one message to its end, never rejecting (kafka-kit's `createMessageProcessor`). */
export type ProcessMessage = (message: ReceivedMessage, signal: AbortSignal) => Promise<MessageOutcome>;

/** Where the consumer is in its life; readiness is `joined`. */
export type BatchConsumerState = "idle" | "joining" | "joined" | "rebalancing" | "stopped" | "crashed";

/** What {@link createBatchStageConsumer} needs. */
export interface BatchStageConsumerOptions {
  readonly kafka: Kafka;
  /** Consumer group: the service name, as the catalogue's `consumers` lists it. */
  readonly groupId: string;
  /** Topic name → the processor of its messages. */
  readonly processors: ReadonlyMap<string, ProcessMessage>;
  /** Messages handled at once across every partition (the LLM's parallelism). */
  readonly concurrency: number;
  readonly logger: Logger;
  readonly metrics?: StageMetrics;
  /** Messages being handled now. */
  readonly inFlight?: Gauge<never>;
  /** On close, how long the messages in flight may take to finish before they are aborted (default 10 s). */
  readonly drainTimeoutMs?: number;
  /** Group heartbeat, also sent while a batch runs (default 3 s). */
  readonly heartbeatIntervalMs?: number;
  /** The broker drops a member silent this long (default 30 s). */
  readonly sessionTimeoutMs?: number;
  /** Fetch long-poll; also bounds how long leaving the group waits (default 5 s). */
  readonly maxWaitTimeMs?: number;
}

/** A running consumer. */
export interface BatchStageConsumer {
  /** Connects, subscribes (from the beginning for a new group) and joins the group. */
  start(): Promise<void>;
  readonly state: BatchConsumerState;
  /** Readiness check: passes once the member has joined the group. */
  readiness(): string;
  /** Liveness check: fails only when `start` failed; a later crash is restarted (see `restartAfterCrash`). */
  liveness(): boolean;
  /**
   * Stops intake (pauses every topic), lets the messages in flight finish for `drainTimeoutMs`, then
   * aborts them (they stay uncommitted and are delivered again), commits what finished, and leaves
   * the group. Idempotent.
   */
  close(): Promise<void>;
}

/** Where the contiguous run of finished messages of a batch ends: the index of its last one, or -1. */
export function lastFinished(outcomes: readonly (MessageOutcome | undefined)[]): number {
  let last = -1;
  for (const outcome of outcomes) {
    if (outcome !== "done" && outcome !== "dead_lettered") break;
    last++;
  }
  return last;
}

/** Creates the consumer (see the module comment); nothing connects until `start`. */
export function createBatchStageConsumer(options: BatchStageConsumerOptions): BatchStageConsumer {
  const log = options.logger.child({ component: "batch-consumer", groupId: options.groupId });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
  const limiter = createLimiter(options.concurrency);
  const topics = [...options.processors.keys()];
  const running = new Map<Promise<unknown>, AbortController>();
  let consumer: Consumer | undefined;
  let recovery: CrashRestart | undefined;
  let state: BatchConsumerState = "idle";
  let stopping = false;
  let closing: Promise<void> | undefined;

  /** Handles one message under its own abort controller, counted while it runs. */
  function track(processOne: ProcessMessage, message: ReceivedMessage): Promise<MessageOutcome> {
    const abort = new AbortController();
    options.inFlight?.inc();
    const done = processOne(message, abort.signal).finally(() => {
      options.inFlight?.dec();
      running.delete(done);
    });
    running.set(done, abort);
    return done;
  }

  async function onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const processOne = options.processors.get(batch.topic);
    if (processOne === undefined) return;
    const live = () => !stopping && isRunning() && !isStale();
    const beat = setInterval(() => {
      heartbeat().catch((err: unknown) =>
        log.debug(
          { err, partition: batch.partition },
          "heartbeat failed while a batch runs; the group may rebalance",
        ),
      );
    }, heartbeatIntervalMs);
    const outcomes: (MessageOutcome | undefined)[] = batch.messages.map(() => undefined);
    const tasks: Promise<void>[] = [];
    try {
      for (const [index, message] of batch.messages.entries()) {
        if (!live()) break;
        const release = await limiter.acquire();
        if (!live()) {
          release();
          break;
        }
        const received: ReceivedMessage = { ...message, topic: batch.topic, partition: batch.partition };
        tasks.push(
          track(processOne, received)
            .then((outcome) => {
              outcomes[index] = outcome;
              options.metrics?.messages.inc({ topic: batch.topic, outcome });
            })
            .finally(release),
        );
      }
      await Promise.all(tasks);
    } finally {
      clearInterval(beat);
    }
    const last = batch.messages[lastFinished(outcomes)];
    if (last === undefined) return;
    resolveOffset(last.offset);
    const next = (BigInt(last.offset) + 1n).toString();
    try {
      await consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    } catch (err) {
      log.warn(
        { err: kafkaFailure(err), topic: batch.topic, partition: batch.partition, offset: last.offset },
        "commit failed (the partition may have moved); its messages will come again and be answered idempotently",
      );
    }
  }

  async function close(): Promise<void> {
    stopping = true;
    const current = consumer;
    if (current === undefined) return;
    try {
      current.pause(topics.map((topic) => ({ topic })));
    } catch {
      // not running yet: nothing is fetched anyway
    }
    if (running.size > 0) {
      const all = Promise.allSettled([...running.keys()]);
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        all.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), drainTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) {
        log.warn(
          { drainTimeoutMs, inFlight: running.size },
          "work still running at shutdown; aborting it (it will be redelivered)",
        );
        const reason = new IsaraError("cancelled", "the service is shutting down");
        for (const abort of running.values()) abort.abort(reason);
        await all;
      }
    }
    // kafkajs waits for the batches to return (and commit) before it leaves the group.
    await recovery?.stop();
    await current.disconnect();
    state = "stopped";
  }

  return {
    async start() {
      if (consumer !== undefined) {
        throw new IsaraError("failed_precondition", `consumer ${options.groupId} was started already`);
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
        const assigned = Object.fromEntries(
          topics.map((t) => [t, [...(e.payload.memberAssignment[t] ?? [])].sort((a, b) => a - b)]),
        );
        log.info({ partitions: assigned }, "joined the consumer group");
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
        await c.subscribe({ topics, fromBeginning: true });
        const run = () =>
          c.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            partitionsConsumedConcurrently: Math.max(1, options.concurrency),
            eachBatch: onBatch,
          });
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
    readiness() {
      if (state !== "joined") throw new Error(`consumer group ${options.groupId} is ${state}`);
      return `joined ${options.groupId} on ${topics.join(", ")}`;
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
