/**
 * The filtering service end to end on a real Kafka broker (started by @isara/testkit/kafka), with the
 * real retrieval service over gRPC (LanceDB, test embedder): FilterWork in, one SampleJudged per
 * candidate or a dead letter out, the accepted set visible through retrieval's ListSamples, the sets
 * on the artifact volume, probes and metrics over HTTP, and a graceful shutdown. Skipped, with the
 * reason, where Java or the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type DeadLetter,
  decodeTopicMessage,
  ErrorCode,
  runArtifacts,
  type SampleJudged,
  TOPICS,
} from "@isara/contracts";
import { createCatalogueProducer, kafkaLogging, outgoingMessage } from "@isara/kafka-kit";
import { createShutdown, freePort, type Shutdown } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { type LoopbackHttp, lineLogger, serveLoopback, waitFor } from "@isara/testkit";
import {
  type KafkaBroker,
  kafkaSkipReason,
  observeTopics,
  sendRecord,
  startKafka,
  TEST_STAGE_TIMINGS,
  type TopicObserver,
} from "@isara/testkit/kafka";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { Kafka, type Producer } from "kafkajs";
import {
  FIXTURE_SLOTS,
  fixtureCandidates,
  fixtureFilterWork,
  writeCandidates,
  writeFixtureRun,
} from "../testing/filter-fixture.js";
import { createFilteringApp, type FilteringApp } from "./app.js";
import { createRetrievalClient, type RetrievalClient } from "./retrieval-client.js";
import { readSampleRows } from "./sample-rows.js";

const skip = kafkaSkipReason();
const mainScript = join(dirname(fileURLToPath(import.meta.url)), "main.js");
const SLOTS = FIXTURE_SLOTS.length;

describe("the filtering service on a real broker", () => {
  let broker: KafkaBroker;
  let dir: string;
  let artifacts: FsArtifactStore;
  let retrieval: RetrievalServiceForTests;
  let client: RetrievalClient;
  let child: ChildProcess | undefined;
  let kafka: Kafka;
  let app: FilteringApp;
  let shutdown: Shutdown;
  let probes: LoopbackHttp;
  let base: string;
  let producer: Producer;
  let observer: TopicObserver;
  const logLines: Record<string, unknown>[] = [];
  const on = (topic: string, key?: string) => observer.on(topic, key);
  const judgedOf = (key: string) =>
    on(TOPICS.sampleJudged.name, key).map(
      (s) => decodeTopicMessage(TOPICS.sampleJudged, s.value) as SampleJudged,
    );

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    dir = await mkdtemp(join(tmpdir(), "isara-filtering-kafka-"));
    artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
    for (const run of ["run-a", "run-b", "run-c"]) {
      await writeFixtureRun(artifacts, run);
      await writeCandidates(artifacts, run, fixtureCandidates(run));
    }
    retrieval = await startRetrievalService();
    client = createRetrievalClient({ address: retrieval.address, timeoutMs: 10_000 });
    const logger = lineLogger("filtering", logLines);
    kafka = new Kafka({ clientId: "filtering-test", brokers: [broker.bootstrap], ...kafkaLogging(logger) });
    app = createFilteringApp({
      logger,
      kafka,
      artifacts,
      retrieval: createRetrievalClient({ address: retrieval.address, timeoutMs: 10_000 }),
      ...TEST_STAGE_TIMINGS,
    });
    shutdown = createShutdown({ logger, timeoutMs: 10_000, onStart: (r) => app.health.startDraining(r) });
    probes = await serveLoopback(app.handleHttp);
    base = probes.base;
  });

  after(async () => {
    child?.kill("SIGKILL");
    await shutdown?.shutdown("tests done");
    await observer?.disconnect();
    await producer?.disconnect();
    probes?.close();
    client?.close();
    await retrieval?.close();
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function send(value: Buffer, key: string, headers: Record<string, string> = {}): Promise<void> {
    await sendRecord(producer, TOPICS.filterWork.name, value, key, headers);
  }

  async function sendWork(run: string, correlationId = `req-${run}`): Promise<void> {
    const record = outgoingMessage(TOPICS.filterWork, fixtureFilterWork(run, { correlationId }));
    await send(record.value, run, { ...record.headers });
  }

  test("is not ready until the group is joined, then ready", { skip }, async () => {
    const before = await fetch(`${base}/readyz`);
    assert.equal(before.status, 503);
    const report = (await before.json()) as { checks: Record<string, { status: string }> };
    assert.equal(report.checks["kafka-consumer"]?.status, "fail");
    assert.equal((await fetch(`${base}/healthz`)).status, 200, "alive while starting");

    await app.start(shutdown);
    await waitFor("readiness", async () => (await fetch(`${base}/readyz`)).status === 200);

    producer = createCatalogueProducer(kafka);
    await producer.connect();
    observer = await observeTopics(kafka, [TOPICS.sampleJudged.name, TOPICS.filterDeadLetter.name]);
  });

  test("one FilterWork gives a SampleJudged per candidate with every reason, and the accepted set in retrieval", {
    skip,
  }, async () => {
    await sendWork("run-a", "req-a1");
    await waitFor("SampleJudged of run-a", () => on(TOPICS.sampleJudged.name, "run-a").length === SLOTS);

    const out = judgedOf("run-a");
    assert.deepEqual(
      out.map((m) => [m.sample?.slot, m.accepted]),
      FIXTURE_SLOTS.map((s, slot) => [slot, s.rejectedBy === undefined]),
    );
    for (const [slot, m] of out.entries()) {
      const rejecting = (m.sample?.lineage?.verdicts ?? []).filter((v) => !v.accepted);
      const expected = FIXTURE_SLOTS[slot]?.rejectedBy;
      assert.deepEqual(
        rejecting.map((v) => v.filter),
        expected === undefined ? [] : [expected],
      );
      assert.ok(rejecting.every((v) => v.reason.length > 0));
    }
    assert.deepEqual(on(TOPICS.sampleJudged.name, "run-a")[0]?.headers, {
      "x-request-id": "req-a1",
      "x-isara-run": "run-a",
      "x-isara-domain": "tiny-truth",
      "x-isara-round": "1",
    });

    const listed = await client.listSamples(
      { run: "run-a", domain: "tiny-truth", round: 1, correlationId: "t" },
      { round: 1 },
      new AbortController().signal,
    );
    assert.deepEqual(
      listed.map((s) => s.id),
      out.filter((m) => m.accepted).map((m) => m.idempotencyKey),
    );
    const accepted = await readSampleRows(artifacts, runArtifacts("run-a").accepted(1));
    const rejected = await readSampleRows(artifacts, runArtifacts("run-a").rejected(1));
    assert.equal(accepted?.length, 2);
    assert.equal(rejected?.length, 4);

    const finished = logLines.find((l) => l.msg === "filter pass finished");
    assert.ok(finished, "the pass logged its end");
    assert.equal(finished.run, "run-a");
    assert.equal(finished.round, 1);
    assert.equal(finished.requestId, "req-a1");
    assert.equal(finished.service, "filtering");
  });

  test("the same FilterWork again republishes identical verdicts and upserts nothing", { skip }, async () => {
    const upserts = await retrieval.okCalls("Upsert");
    await sendWork("run-a", "req-a1");
    await waitFor(
      "the second round of SampleJudged",
      () => on(TOPICS.sampleJudged.name, "run-a").length === 2 * SLOTS,
    );
    const all = on(TOPICS.sampleJudged.name, "run-a");
    assert.deepEqual(
      all.slice(SLOTS).map((s) => s.value),
      all.slice(0, SLOTS).map((s) => s.value),
    );
    assert.equal(await retrieval.okCalls("Upsert"), upserts, "no second upsert");
    const listed = await client.listSamples(
      { run: "run-a", domain: "tiny-truth", round: 1, correlationId: "t" },
      {},
      new AbortController().signal,
    );
    assert.equal(listed.length, 2, "no duplicate samples in retrieval");
  });

  test("poison goes to the dead-letter topic with the reason, and the consumer carries on", {
    skip,
  }, async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    await send(garbage, "run-x", { "x-request-id": "req-junk" });
    await sendWork("run-nobody");
    await sendWork("run-b");

    await waitFor("two dead letters", () => on(TOPICS.filterDeadLetter.name).length === 2);
    const letters = on(TOPICS.filterDeadLetter.name).map((s) => ({
      ...s,
      letter: decodeTopicMessage(TOPICS.filterDeadLetter, s.value) as DeadLetter,
    }));
    const junk = letters.find((l) => l.key === "run-x");
    assert.ok(junk);
    assert.deepEqual(junk.letter.payload, garbage);
    assert.equal(junk.letter.error?.code, ErrorCode.INVALID_ARGUMENT);
    assert.match(junk.letter.reason, /not a valid isara.v1.FilterWork/);
    assert.equal(junk.letter.consumerGroup, "filtering");
    assert.equal(junk.headers["x-request-id"], "req-junk");
    const nobody = letters.find((l) => l.key === "run-nobody");
    assert.ok(nobody);
    assert.equal(nobody.letter.error?.code, ErrorCode.NOT_FOUND);
    assert.match(nobody.letter.reason, /run-nobody\/domain\/domain.json/);
    assert.equal(nobody.letter.context?.run, "run-nobody");

    await waitFor(
      "SampleJudged of run-b after the poison",
      () => on(TOPICS.sampleJudged.name, "run-b").length === SLOTS,
    );
  });

  test("metrics count passes and dead letters; shutdown drains, commits every message, and closes", {
    skip,
  }, async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /isara_filter_passes_total\{[^}]*outcome="filtered"[^}]*\} 2/);
    assert.match(metrics, /isara_filter_passes_total\{[^}]*outcome="replayed"[^}]*\} 1/);
    assert.match(metrics, /isara_samples_judged_total\{[^}]*verdict="accepted"[^}]*\} 4/);
    assert.match(metrics, /isara_samples_judged_total\{[^}]*verdict="rejected"[^}]*\} 8/);
    assert.match(metrics, /isara_dead_letters_total\{[^}]*code="invalid_argument"[^}]*\} 1/);
    assert.match(metrics, /isara_dead_letters_total\{[^}]*code="not_found"[^}]*\} 1/);
    // The group's lag on its work topic, one series per partition, from kafka-kit's consumer loop.
    assert.match(
      metrics,
      /isara_kafka_consumer_lag\{group="filtering",topic="isara\.filter\.work",partition="0"[^}]*\} \d+/,
    );

    const report = await shutdown.shutdown("test");
    assert.equal(report.ok, true, JSON.stringify(report.results));
    assert.deepEqual(
      report.results.map((r) => r.name),
      ["kafka-consumer", "retrieval-client", "kafka-producer"],
    );
    const draining = await fetch(`${base}/readyz`);
    assert.equal(draining.status, 503);

    const admin = kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: "filtering", topics: [TOPICS.filterWork.name] });
    await admin.disconnect();
    const committed = (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(committed, 5, "every message read was committed once its effects were done");
  });

  test("the process starts from its environment, filters, and exits 0 on SIGTERM after a clean shutdown", {
    skip,
  }, async () => {
    const port = await freePort();
    const out: string[] = [];
    const proc = spawn(process.execPath, [mainScript], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: broker.bootstrap,
        ARTIFACT_ROOT: join(dir, "artifacts"),
        RETRIEVAL_ADDRESS: retrieval.address,
        HTTP_PORT: String(port),
        DRAIN_TIMEOUT: "2s",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stdout?.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    proc.stderr?.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const readyz = async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status;
    await waitFor("the process to be ready", async () => (await readyz()) === 200);

    await sendWork("run-c");
    await waitFor(
      "SampleJudged of run-c from the process",
      () => on(TOPICS.sampleJudged.name, "run-c").length === SLOTS,
    );

    proc.kill("SIGTERM");
    assert.equal(await exited, 0, out.join(""));
    const finished = out
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg?: string; ok?: boolean })
      .find((l) => l.msg === "shutdown finished");
    assert.equal(finished?.ok, true);
  });
});
