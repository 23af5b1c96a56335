/**
 * The one Kafka consumer loop of the distributed mode. Every consumer of ours (a stage's, generation's,
 * the controller's) is this loop with its own processors and options, so that the delivery rules of
 * docs/topics.md live in one place: commit by hand only after a message's effects, leave an
 * interrupted message uncommitted, drain then abort on close, and restart after any crash.
 */
import { IsaraError } from "@isara/core";
import type { Gauge, Logger } from "@isara/kit";
import type { Consumer, EachBatchPayload, EachMessagePayload, Kafka } from "kafkajs";
import { type CrashRestart, restartAfterCrash } from "./crash-restart.js";
import { kafkaFailure } from "./kafka-failure.js";
import { createLimiter, type Limiter } from "./limiter.js";
import type { ReceivedMessage } from "./message-processor.js";
import type { MessageOutcome, StageMetrics } from "./stage-metrics.js";

/** Where a consumer is in its life; readiness is `joined`. */
export type ConsumerState = "idle" | "joining" | "joined" | "rebalancing" | "stopped" | "crashed";

/**
 * Handles one message to its end and never rejects (`createMessageProcessor`, or `createStageProcessor`
 * for a stage): `done` and `dead_lettered` are committed, `interrupted` is not.
 */
export type ProcessMessage = (message: ReceivedMessage, signal: AbortSignal) => Promise<MessageOutcome>;

/** The partitions of each subscribed topic assigned to this member at the last join, sorted. */
export type TopicAssignment = Readonly<Record<string, readonly number[]>>;

/**
 * How fetched messages are handled. The two modes exist because the services' work differs: a stage
 * message (a training, an evaluation) uses the whole machine and a controller result is one short
 * append, so each is handled on its own; a generation slot is one short completion and the LLM serves
 * several at once, so a fetched batch is worked on concurrently.
 */
export type ConsumerHandling =
  | {
      /**
       * One message at a time per partition, its offset committed on its own right after its effects
       * (kafkajs `eachMessage`).
       */
      readonly mode: "single";
      /**
       * Partitions handled at once (kafkajs `partitionsConsumedConcurrently`): a stage's
       * STAGE_CONCURRENCY (one run's long pass then holds up only its own partition); more for the
       * controller, so that a run waiting on its retries never holds up runs on other partitions.
       */
      readonly partitions: number;
      /**
       * Send group heartbeats while a message runs, so that a long message does not cost the member
       * its partitions (default true). The controller turns it off: its messages are short, and it
       * never sent them, so the shared loop changes nothing there.
       */
      readonly heartbeatWhileRunning?: boolean;
    }
  | {
      /**
       * A fetched batch of a partition worked on concurrently (kafkajs `eachBatch`), then committed up
       * to the last message before the first unfinished one ({@link lastFinished}), so a message is
       * committed only after its effects and those of every message before it on its partition.
       */
      readonly mode: "batch";
      /**
       * Messages handled at once across every partition (a {@link Limiter} shared by all of them: the
       * LLM's parallelism), and partitions fetched at once (at least 1).
       * @throws IsaraError `invalid_argument` from {@link createConsumerLoop} when not a positive integer.
       */
      readonly concurrency: number;
    };

/** What {@link createConsumerLoop} needs. */
export interface ConsumerLoopOptions {
  readonly kafka: Kafka;
  /** Consumer group: the service name, as the catalogue's `consumers` lists it. */
  readonly groupId: string;
  /** Topic name → the processor of its messages; the consumer subscribes to exactly these topics. */
  readonly processors: ReadonlyMap<string, ProcessMessage>;
  readonly handling: ConsumerHandling;
  readonly logger: Logger;
  /**
   * The `component` of the loop's own log lines (`stage-consumer`, `batch-consumer`,
   * `result-consumer`): each service's log queries select its consumer by it.
   */
  readonly component: string;
  /**
   * Counts each message's outcome by topic (`messages`); the processors count retries and dead
   * letters. Its `consumerLag` reports this group's lag on the subscribed topics from `start` to `close`.
   */
  readonly metrics?: StageMetrics | undefined;
  /** Messages being handled now (generation's `in_flight` gauge). */
  readonly inFlight?: Gauge<never> | undefined;
  /** On close, how long the messages in flight may take to finish before they are aborted (default 10 s). */
  readonly drainTimeoutMs?: number | undefined;
  /** Group heartbeat, also sent while a message or batch runs (default 3 s). */
  readonly heartbeatIntervalMs?: number | undefined;
  /** The broker drops a member silent this long (default 30 s). */
  readonly sessionTimeoutMs?: number | undefined;
  /** Fetch long-poll; also bounds how long leaving the group waits (default 5 s). */
  readonly maxWaitTimeMs?: number | undefined;
  /**
   * The text of a passing readiness check, which `/readyz` shows (default `joined <group> on
   * <topics>`); each service keeps the text it has always shown.
   */
  readonly readinessText?: ((assignment: TopicAssignment) => string) | undefined;
  /** The fields of the "joined the consumer group" log line (default `{ partitions }`, by topic). */
  readonly joinedLogFields?: ((assignment: TopicAssignment) => Record<string, unknown>) | undefined;
}

/** A running consumer. */
export interface ConsumerLoop {
  /** Connects, subscribes (from the beginning for a new group) and joins the group. */
  start(): Promise<void>;
  readonly state: ConsumerState;
  /** The assignment at the last join; empty before it. */
  readonly assignment: TopicAssignment;
  /** Readiness check for the kit's health registry: passes once the member has joined the group. */
  readiness(): string;
  /**
   * Liveness check: fails only when `start` failed. A consumer that crashes later is restarted (by
   * kafkajs, or in place by {@link restartAfterCrash}) and is `joining` meanwhile, so not ready.
   */
  liveness(): boolean;
  /**
   * Stops intake (pauses every topic), lets the messages in flight finish for `drainTimeoutMs`, then
   * aborts them (they stay uncommitted and are delivered again, to this group's next owner of their
   * partition), commits what finished, and leaves the group. Idempotent.
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

/**
 * Creates a consumer with the delivery rules of docs/topics.md, so that no service writes its own
 * loop: at-least-once (autocommit off; an offset is committed only after its message's effects, or
 * its dead letter, as `processors` report them); `interrupted` messages left uncommitted; a failed
 * commit only logged (the message comes again and is answered idempotently); heartbeats while work
 * runs (unless `heartbeatWhileRunning` is off); a crash (a broker restart, say) never ends the consumer: it is restarted until it joins again.
 * Nothing connects until `start`.
 * @throws IsaraError `invalid_argument` when a batch consumer's `concurrency` is not a positive integer.
 */
export function createConsumerLoop(options: ConsumerLoopOptions): ConsumerLoop {
  const { groupId, handling } = options;
  const log = options.logger.child({ component: options.component, groupId });
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3000;
  const topics = [...options.processors.keys()];
  const limiter = handling.mode === "batch" ? createLimiter(handling.concurrency) : undefined;
  const beatsPerMessage = handling.mode === "single" && (handling.heartbeatWhileRunning ?? true);
  const running = new Map<Promise<unknown>, AbortController>();
  let consumer: Consumer | undefined;
  let recovery: CrashRestart | undefined;
  let state: ConsumerState = "idle";
  let assignment: TopicAssignment = {};
  let stopping = false;
  let closing: Promise<void> | undefined;
  let unwatchLag: (() => Promise<void>) | undefined;

  /** Sends heartbeats until the returned function is called. */
  function beatWhile(heartbeat: () => Promise<void>, partition: number, what: string): () => void {
    const beat = setInterval(() => {
      heartbeat().catch((err: unknown) =>
        log.debug({ err, partition }, `heartbeat failed while a ${what} runs; the group may rebalance`),
      );
    }, heartbeatIntervalMs);
    return () => clearInterval(beat);
  }

  /** Runs `work` under its own abort controller, so close can wait for it or abort it; counted meanwhile. */
  function track<R>(work: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const abort = new AbortController();
    options.inFlight?.inc();
    const done = work(abort.signal).finally(() => {
      options.inFlight?.dec();
      running.delete(done);
    });
    running.set(done, abort);
    return done;
  }

  /** Commits up to and including `offset`; `what` names what comes again when it fails. */
  async function commit(topic: string, partition: number, offset: string, what: string): Promise<void> {
    const next = (BigInt(offset) + 1n).toString();
    try {
      await consumer?.commitOffsets([{ topic, partition, offset: next }]);
    } catch (err) {
      log.warn(
        { err: kafkaFailure(err), topic, partition, offset },
        `commit failed (the partition may have moved); ${what} will come again and be answered idempotently`,
      );
    }
  }

  async function onMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    // Intake has stopped: leave the message uncommitted for the partition's next owner.
    if (stopping) return;
    const processOne = options.processors.get(topic);
    if (processOne === undefined) return;
    await track(async (signal) => {
      const stopBeats = beatsPerMessage ? beatWhile(heartbeat, partition, "message") : undefined;
      let outcome: MessageOutcome;
      try {
        outcome = await processOne({ ...message, topic, partition }, signal);
      } finally {
        stopBeats?.();
      }
      options.metrics?.messages.inc({ topic, outcome });
      if (outcome !== "interrupted") await commit(topic, partition, message.offset, "the message");
    });
  }

  async function onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const processOne = options.processors.get(batch.topic);
    if (processOne === undefined || limiter === undefined) return;
    const live = () => !stopping && isRunning() && !isStale();
    const stopBeats = beatWhile(heartbeat, batch.partition, "batch");
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
          track((signal) => processOne(received, signal))
            .then((outcome) => {
              outcomes[index] = outcome;
              options.metrics?.messages.inc({ topic: batch.topic, outcome });
            })
            .finally(release),
        );
      }
      await Promise.all(tasks);
    } finally {
      stopBeats();
    }
    const last = batch.messages[lastFinished(outcomes)];
    if (last === undefined) return;
    resolveOffset(last.offset);
    await commit(batch.topic, batch.partition, last.offset, "its messages");
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
          handling.mode === "batch"
            ? "work still running at shutdown; aborting it (it will be redelivered)"
            : running.size === 1
              ? "message still running at shutdown; aborting it (it will be redelivered)"
              : "messages still running at shutdown; aborting them (they will be redelivered)",
        );
        const reason = new IsaraError("cancelled", "the service is shutting down");
        for (const abort of running.values()) abort.abort(reason);
        await all;
      }
    }
    // kafkajs waits for the handlers to return (and commit) before it leaves the group.
    try {
      await recovery?.stop();
      await current.disconnect();
    } finally {
      await unwatchLag?.();
    }
    state = "stopped";
  }

  return {
    async start() {
      if (consumer !== undefined) {
        throw new IsaraError("failed_precondition", `consumer ${groupId} was started already`);
      }
      const c = options.kafka.consumer({
        groupId,
        allowAutoTopicCreation: false,
        heartbeatInterval: heartbeatIntervalMs,
        sessionTimeout: options.sessionTimeoutMs ?? 30_000,
        maxWaitTimeInMs: options.maxWaitTimeMs ?? 5000,
      });
      consumer = c;
      unwatchLag = options.metrics?.consumerLag?.watch({
        kafka: options.kafka,
        groupId,
        topics,
        logger: log,
      });
      c.on(c.events.GROUP_JOIN, (e) => {
        state = "joined";
        assignment = Object.fromEntries(
          topics.map((t) => [t, [...(e.payload.memberAssignment[t] ?? [])].sort((a, b) => a - b)]),
        );
        log.info(
          options.joinedLogFields?.(assignment) ?? { partitions: assignment },
          "joined the consumer group",
        );
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
        const run =
          handling.mode === "single"
            ? () =>
                c.run({
                  autoCommit: false,
                  partitionsConsumedConcurrently: handling.partitions,
                  eachMessage: onMessage,
                })
            : () =>
                c.run({
                  autoCommit: false,
                  eachBatchAutoResolve: false,
                  partitionsConsumedConcurrently: Math.max(1, handling.concurrency),
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
    get assignment() {
      return assignment;
    },
    readiness() {
      if (state !== "joined") throw new Error(`consumer group ${groupId} is ${state}`);
      return options.readinessText?.(assignment) ?? `joined ${groupId} on ${topics.join(", ")}`;
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
