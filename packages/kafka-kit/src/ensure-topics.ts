import { setTimeout as sleep } from "node:timers/promises";
import { retentionMs, type TopicSpec } from "@isara/contracts";
import { IsaraError } from "@isara/core";
import type { Admin } from "kafkajs";
import { kafkaFailure } from "./kafka-failure.js";

/** What {@link ensureTopics} found and did. */
export interface EnsuredTopics {
  /** Topics this call created. */
  readonly created: readonly string[];
  /** Topics that were there already (made by another service, replica or an earlier start). */
  readonly existing: readonly string[];
}

/** Options of {@link ensureTopics}. */
export interface EnsureTopicsOptions {
  /** How long the broker may take to create the topics and elect their leaders (default 30 s). */
  readonly timeoutMs?: number;
}

/**
 * Makes sure every topic of `topics` (entries of the `@isara/contracts` catalogue) exists, creating
 * the missing ones with the catalogue's partitions and `retention.ms`; the replication factor is the
 * broker's `default.replication.factor`, a property of the cluster rather than of the topic. Brokers
 * run with `auto.create.topics.enable=false`, so a service calls this at start for the topics it reads
 * and writes, before its consumer subscribes; two replicas starting at once are fine (creating a topic
 * that appeared meanwhile counts as existing).
 *
 * An existing topic with FEWER partitions than the catalogue is refused: it was created by hand or by
 * an auto-creating broker, and would quietly cap how many runs proceed in parallel. More partitions
 * are accepted (an operator grew the topic on purpose, see docs/topics.md).
 *
 * @throws IsaraError `failed_precondition` naming each topic with too few partitions and how to fix
 *   it; `unavailable` when the cluster cannot be reached (a broker outage by kafka-kit's
 *   `isBrokerOutage`, which callers wait out with `untilBrokerIsBack`); `internal` when the broker
 *   refuses.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly TopicSpec<unknown>[],
  options: EnsureTopicsOptions = {},
): Promise<EnsuredTopics> {
  const wanted = [...new Map(topics.map((t) => [t.name, t])).values()];
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    const present = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !present.has(t.name));
    let created: string[] = [];
    if (missing.length > 0) {
      // Leaders are awaited below for every topic: kafkajs's own wait gives up on a topic whose
      // metadata has not reached the broker it asks yet (UNKNOWN_TOPIC_OR_PARTITION).
      const made = await admin.createTopics({
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          configEntries: [{ name: "retention.ms", value: String(retentionMs(t)) }],
        })),
        waitForLeaders: false,
        timeout: timeoutMs,
      });
      created = made ? missing.map((t) => t.name) : [];
    }
    const partitions = await partitionsWithLeaders(admin, wanted, timeoutMs);
    checkPartitions(wanted, partitions);
    return { created, existing: wanted.map((t) => t.name).filter((name) => !created.includes(name)) };
  } catch (err) {
    throw kafkaFailure(err);
  }
}

/**
 * Partition counts of `topics` once every partition has a leader (so producing and consuming work),
 * asking again while the cluster's metadata catches up with a creation, up to `timeoutMs`.
 */
async function partitionsWithLeaders(
  admin: Admin,
  topics: readonly TopicSpec<unknown>[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  const names = topics.map((t) => t.name);
  for (;;) {
    let waitingFor: string;
    let lastFailure: IsaraError | undefined;
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: names });
      const led = metadata.filter((m) => m.partitions.length > 0 && m.partitions.every((p) => p.leader >= 0));
      if (led.length === names.length) return new Map(led.map((m) => [m.name, m.partitions.length]));
      waitingFor = "partition leaders";
    } catch (err) {
      lastFailure = kafkaFailure(err);
      if (!lastFailure.retryable) throw lastFailure;
      waitingFor = lastFailure.message;
    }
    if (Date.now() > deadline) {
      // The last failure stays the cause, so a broker that went away is still told apart.
      throw new IsaraError(
        "unavailable",
        `topics ${names.join(", ")} are not ready after ${timeoutMs} ms (waiting for ${waitingFor}); is the cluster healthy?`,
        undefined,
        lastFailure === undefined ? undefined : { cause: lastFailure },
      );
    }
    await sleep(100);
  }
}

function checkPartitions(topics: readonly TopicSpec<unknown>[], found: ReadonlyMap<string, number>): void {
  const problems: string[] = [];
  for (const t of topics) {
    const count = found.get(t.name) ?? 0;
    if (count < t.partitions) {
      problems.push(
        `${t.name} has ${count} partition${count === 1 ? "" : "s"}, the catalogue says ${t.partitions}; ` +
          `add partitions with kafka-topics.sh --alter --topic ${t.name} --partitions ${t.partitions}` +
          " (or delete it if it holds nothing yet) and start again",
      );
    }
  }
  if (problems.length > 0) {
    throw new IsaraError(
      "failed_precondition",
      `existing topics do not match the catalogue:\n  ${problems.join("\n  ")}`,
      problems,
    );
  }
}
