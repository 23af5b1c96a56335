/**
 * Consumer lag as a Prometheus gauge: how many messages of each partition a consumer group has not
 * committed yet, read from the broker (the group's committed offsets against the partitions' high
 * watermarks, kafkajs admin `fetchOffsets` and `fetchTopicOffsets`) when Prometheus scrapes, at most
 * once per `cacheMs` however often and however many scrapers ask, and never longer than `timeoutMs`.
 *
 * Decision: the lag is read from the broker, not from the consumer's own fetch positions, so that it
 * is the group's lag, the same number KEDA scales generation on: it keeps growing while the consumer
 * is crashed, rebalancing or stuck on a message, which is exactly when an operator needs to see it.
 * The price is that every replica of a service reports the same group-wide series: aggregate them with
 * `max by (group, topic, partition)` (then `sum by (group, topic)`), never with a plain `sum`.
 */
import type { Gauge, Logger, Metrics } from "@isara/kit";
import type { Admin, Kafka } from "kafkajs";
import { kafkaFailure } from "./kafka-failure.js";

/** One consumer group's subscription, read by {@link ConsumerLag}. */
export interface LagSource {
  /** The client the consumer uses; an admin client of it is connected at the first read. */
  readonly kafka: Kafka;
  readonly groupId: string;
  /** The topics the group consumes. */
  readonly topics: readonly string[];
  /** Where a failed read is reported (once, until a read succeeds again). */
  readonly logger: Logger;
}

/** The lag of one partition. */
export interface PartitionLag {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/**
 * The `kafka_consumer_lag{group,topic,partition}` gauge of a registry, fed by the groups that
 * {@link ConsumerLag.watch} registered (each consumer loop registers its own while it runs).
 */
export interface ConsumerLag {
  readonly gauge: Gauge<"group" | "topic" | "partition">;
  /**
   * Reports the lag of `source` from now on; the returned function stops that and disconnects the
   * admin client it used (idempotent).
   */
  watch(source: LagSource): () => Promise<void>;
  /** The lag read last (at most `cacheMs` old when a read was asked; tests and logs). */
  read(): Promise<readonly PartitionLag[]>;
}

/** Options of {@link createConsumerLag}. */
export interface ConsumerLagOptions {
  /** A read younger than this is served again instead of asking the broker (default 10 s). */
  readonly cacheMs?: number;
  /** A read that takes longer counts as failed, so a scrape is never held up longer (default 5 s). */
  readonly timeoutMs?: number;
  /** The clock; tests pass their own. */
  readonly now?: () => number;
}

/**
 * The lag of one partition from its committed offset and its watermarks (decimal strings, as kafkajs
 * gives them). A group without a commit on the partition (offset `-1`) starts from the beginning (our
 * consumers subscribe with `fromBeginning`), so everything still retained counts; a commit below the
 * low watermark (retention deleted what it had not read) counts from the low watermark. Never negative.
 */
export function partitionLag(committed: string, low: string, high: string): number {
  const highOffset = BigInt(high);
  const lowOffset = BigInt(low);
  const offset = BigInt(committed);
  const from = offset < 0n || offset < lowOffset ? lowOffset : offset;
  const lag = highOffset - from;
  return lag > 0n ? Number(lag) : 0;
}

/** Reads the lag of every partition of `topics` for `groupId` through a connected admin client. */
export async function readGroupLag(
  admin: Pick<Admin, "fetchOffsets" | "fetchTopicOffsets">,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> {
  const [committed, watermarks] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [...topics] }),
    Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) }))),
  ]);
  const commits = new Map<string, string>();
  for (const t of committed) {
    for (const p of t.partitions) commits.set(`${t.topic}/${p.partition}`, p.offset);
  }
  const rows: PartitionLag[] = [];
  for (const { topic, offsets } of watermarks) {
    for (const p of [...offsets].sort((a, b) => a.partition - b.partition)) {
      const offset = commits.get(`${topic}/${p.partition}`) ?? "-1";
      rows.push({ group: groupId, topic, partition: p.partition, lag: partitionLag(offset, p.low, p.high) });
    }
  }
  return rows;
}

/** One watched group and what was read of it last. */
interface Watched {
  readonly source: LagSource;
  admin: Admin | undefined;
  connected: boolean;
  rows: readonly PartitionLag[];
  failing: boolean;
  stopped: boolean;
}

/** Resolves with `work`'s value, or rejects after `ms` (the work goes on, its result ignored). */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Registers `kafka_consumer_lag{group,topic,partition}` in `metrics` (see the module comment). Nothing
 * talks to the broker until a group is watched and the gauge is scraped (or {@link ConsumerLag.read}).
 */
export function createConsumerLag(metrics: Metrics, options: ConsumerLagOptions = {}): ConsumerLag {
  const cacheMs = options.cacheMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? Date.now;
  const watched = new Set<Watched>();
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | undefined;

  async function readOne(w: Watched): Promise<void> {
    const { kafka, groupId, topics, logger } = w.source;
    try {
      w.admin ??= kafka.admin();
      const admin = w.admin;
      const rows = await withTimeout(
        (async () => {
          if (!w.connected) {
            await admin.connect();
            w.connected = true;
          }
          return readGroupLag(admin, groupId, topics);
        })(),
        timeoutMs,
        `reading the lag of group ${groupId}`,
      );
      if (w.stopped) return;
      w.rows = rows;
      if (w.failing) logger.info({ groupId }, "consumer lag readable again");
      w.failing = false;
    } catch (err) {
      // No number beats a stale one: the series go away until the broker answers again.
      w.rows = [];
      if (!w.failing) {
        logger.warn(
          { err: kafkaFailure(err), groupId, topics },
          "cannot read the consumer lag; kafka_consumer_lag is left out until the broker answers",
        );
      }
      w.failing = true;
    }
  }

  /** Reads every watched group when the last read is older than `cacheMs`; one read at a time. */
  async function refresh(): Promise<void> {
    if (reading === undefined && now() - readAt >= cacheMs) {
      readAt = now();
      reading = Promise.all([...watched].map(readOne))
        .then(() => undefined)
        .finally(() => {
          reading = undefined;
        });
    }
    await reading;
  }

  function current(): PartitionLag[] {
    return [...watched].flatMap((w) => w.rows);
  }

  const gauge = metrics.gauge({
    name: "kafka_consumer_lag",
    help: "Messages of a partition its consumer group has not committed yet (high watermark minus committed offset), read from the broker at most every few seconds; every replica of a service reports its whole group, so aggregate with max by (group, topic, partition).",
    labelNames: ["group", "topic", "partition"],
    async collect() {
      await refresh();
      this.reset();
      for (const row of current()) {
        this.set({ group: row.group, topic: row.topic, partition: String(row.partition) }, row.lag);
      }
    },
  });

  return {
    gauge,
    watch(source) {
      const w: Watched = {
        source,
        admin: undefined,
        connected: false,
        rows: [],
        failing: false,
        stopped: false,
      };
      watched.add(w);
      // The next scrape reads the new group instead of serving a read made without it.
      readAt = Number.NEGATIVE_INFINITY;
      let stopping: Promise<void> | undefined;
      return () => {
        stopping ??= (async () => {
          w.stopped = true;
          watched.delete(w);
          const admin = w.admin;
          w.admin = undefined;
          if (admin !== undefined) {
            await admin.disconnect().catch((err: unknown) => {
              source.logger.debug({ err: kafkaFailure(err) }, "disconnecting the lag admin client failed");
            });
          }
        })();
        return stopping;
      };
    },
    async read() {
      await refresh();
      return current();
    },
  };
}
