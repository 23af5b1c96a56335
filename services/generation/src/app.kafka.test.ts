/**
 * The generation service end to end on a real Kafka broker (started by @isara/testkit/kafka), with the
 * real retrieval service over gRPC (LanceDB, test embedder) and a real tiny llama.cpp model:
 * PromptWork and AnswerWork in, PromptWritten / AnswerWritten or dead letters out, records on the
 * artifact volume, probes and metrics over HTTP, and a graceful shutdown. Skipped, with the reason,
 * where Java or the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type AnswerWritten,
  type DeadLetter,
  decodeTopicMessage,
  ErrorCode,
  type PromptWritten,
  TOPICS,
} from "@isara/contracts";
import { createCatalogueProducer, ensureTopics, kafkaLogging, outgoingMessage } from "@isara/kafka-kit";
import { createShutdown, freePort, type Shutdown } from "@isara/kit";
import { llamaBackend } from "@isara/llm-backends";
import { createLlamaLlm, type LlamaLlm, writeTinyLlamaGguf } from "@isara/llm-llama";
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
import { type CountingLlm, countingLlm } from "../testing/counting-llm-for-tests.js";
import {
  fixtureAnswerWork,
  fixturePromptWork,
  fixtureSeeds,
  writeFixtureSnapshot,
} from "../testing/slot-fixture.js";
import { createGenerationApp, GENERATION_TOPICS, type GenerationApp } from "./app.js";
import { createRetrievalDemoSource } from "./demo-source.js";

const skip = kafkaSkipReason();
const mainScript = join(dirname(fileURLToPath(import.meta.url)), "main.js");
/** Prompt slots of run-a sent before the service starts, so they arrive as one batch. */
const SLOTS = 6;
const PARALLEL = 2;

describe("the generation service on a real broker", () => {
  let broker: KafkaBroker;
  let dir: string;
  let modelPath: string;
  let model: LlamaLlm;
  let retrieval: RetrievalServiceForTests;
  let child: ChildProcess | undefined;
  let kafka: Kafka;
  let llm: CountingLlm;
  let app: GenerationApp;
  let shutdown: Shutdown;
  let probes: LoopbackHttp;
  let base: string;
  let producer: Producer;
  let observer: TopicObserver;
  const sent = { prompts: 0, answers: 0 };
  const logLines: Record<string, unknown>[] = [];
  const on = (topic: string) => observer.on(topic);
  const prompts = () =>
    on(TOPICS.promptWritten.name).map(
      (s) => decodeTopicMessage(TOPICS.promptWritten, s.value) as PromptWritten,
    );

  async function send(topic: string, value: Buffer, key: string, headers: Record<string, string> = {}) {
    await sendRecord(producer, topic, value, key, headers);
    if (topic === TOPICS.promptWork.name) sent.prompts++;
    if (topic === TOPICS.answerWork.name) sent.answers++;
  }

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    dir = await mkdtemp(join(tmpdir(), "isara-generation-kafka-"));
    modelPath = join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(modelPath);
    model = await createLlamaLlm({ modelPath, parallelism: PARALLEL, contextSize: 512 });
    retrieval = await startRetrievalService();
    for (const run of ["run-a", "run-b"]) await retrieval.upsert(fixtureSeeds(run));
    const artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
    for (const run of ["run-a", "run-b"]) await writeFixtureSnapshot(artifacts, run);
    const logger = lineLogger("generation", logLines);
    kafka = new Kafka({ clientId: "generation-test", brokers: [broker.bootstrap], ...kafkaLogging(logger) });

    // The work of run-a waits on its topic before the service starts, so it is fetched as one batch.
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, GENERATION_TOPICS);
    await admin.disconnect();
    producer = createCatalogueProducer(kafka);
    await producer.connect();
    const works = Array.from({ length: SLOTS }, (_, slot) =>
      outgoingMessage(TOPICS.promptWork, fixturePromptWork("run-a", slot, { correlationId: "req-a" })),
    );
    await producer.send({
      topic: TOPICS.promptWork.name,
      messages: works.map((w) => ({ key: "run-a", value: w.value, headers: { ...w.headers } })),
    });
    sent.prompts += SLOTS;

    llm = countingLlm(model, { rendezvous: PARALLEL });
    app = createGenerationApp({
      logger,
      kafka,
      artifacts,
      demos: createRetrievalDemoSource({ address: retrieval.address, timeoutMs: 10_000 }),
      loadBackend: async () => llamaBackend({ llm, tokenizer: model, modelPath, artifacts }),
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
    await broker?.stop();
    await retrieval?.close();
    await model?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("is not ready until the model is loaded and the group joined, then ready", { skip }, async () => {
    const starting = await fetch(`${base}/readyz`);
    assert.equal(starting.status, 503);
    const report = (await starting.json()) as { checks: Record<string, { status: string }> };
    assert.equal(report.checks.model?.status, "fail");
    assert.equal(report.checks["kafka-consumer"]?.status, "fail");
    assert.equal((await fetch(`${base}/healthz`)).status, 200, "alive while starting");

    await app.start(shutdown);
    await waitFor("readiness", async () => (await fetch(`${base}/readyz`)).status === 200);

    observer = await observeTopics(kafka, [
      TOPICS.promptWritten.name,
      TOPICS.answerWritten.name,
      TOPICS.promptsDeadLetter.name,
      TOPICS.answersDeadLetter.name,
    ]);
  });

  test("N PromptWork give N PromptWritten with seed demos in lineage, the LLM kept busy but never over its parallelism", {
    skip,
  }, async () => {
    await waitFor(`${SLOTS} PromptWritten`, () => on(TOPICS.promptWritten.name).length === SLOTS);
    const written = prompts();
    assert.deepEqual(
      written.map((p) => p.slot).sort((a, b) => a - b),
      Array.from({ length: SLOTS }, (_, i) => i),
    );
    const seedIds = new Set(fixtureSeeds("run-a").map((s) => s.id));
    for (const p of written) {
      assert.ok(p.promptDemos.length > 0, `slot ${p.slot} shows demos`);
      assert.ok(p.promptDemos.every((d) => seedIds.has(d.id) && d.setIndex === 0));
      assert.equal(p.generatorModel, "tiny");
    }
    for (const out of on(TOPICS.promptWritten.name)) {
      assert.equal(out.key, "run-a");
      assert.deepEqual(out.headers, {
        "x-request-id": "req-a",
        "x-isara-run": "run-a",
        "x-isara-domain": "tiny-gen",
        "x-isara-round": "1",
      });
    }
    assert.equal(llm.requests.length, SLOTS);
    assert.equal(llm.metAtRendezvous, true, `${PARALLEL} completions of one partition's batch ran at once`);
    assert.equal(llm.maxConcurrent, PARALLEL, "never more completions at once than the LLM runs");

    const line = logLines.find((l) => l.msg === "prompt written");
    assert.ok(line, "each written prompt is logged");
    assert.equal(line.run, "run-a");
    assert.equal(line.domain, "tiny-gen");
    assert.equal(line.round, 1);
    assert.equal(line.requestId, "req-a");
    assert.equal(line.service, "generation");
    const selectCalls = () =>
      retrieval.logs.filter((l) => l.component === "grpc" && /select/i.test(String(l.method)));
    // The service is another process: its last lines may still be on their way through the pipe.
    await waitFor(
      `${SLOTS} SelectDemos log lines of the retrieval service`,
      () => selectCalls().length >= SLOTS,
    );
    const calls = selectCalls();
    assert.ok(calls.length >= SLOTS, "one SelectDemos call per slot");
    assert.ok(
      calls.every((l) => l.requestId === "req-a" && l.run === "run-a" && l.round === 1),
      "the retrieval service logs each call under the work's request id, run and round",
    );
  });

  test("AnswerWork gives AnswerWritten: a candidate with both demo lists in its lineage", {
    skip,
  }, async () => {
    const [first, second] = prompts().sort((a, b) => a.slot - b.slot);
    assert.ok(first && second);
    for (const p of [first, second]) {
      const work = fixtureAnswerWork(
        "run-a",
        p.slot,
        `Is the world a box of ${p.slot + 2} things?`,
        p.promptDemos,
        {
          correlationId: "req-answers",
        },
      );
      const record = outgoingMessage(TOPICS.answerWork, work);
      await send(TOPICS.answerWork.name, record.value, "run-a", { ...record.headers });
    }
    await waitFor("2 AnswerWritten", () => on(TOPICS.answerWritten.name).length === 2);
    for (const out of on(TOPICS.answerWritten.name)) {
      const answer: AnswerWritten = decodeTopicMessage(TOPICS.answerWritten, out.value);
      const candidate = answer.candidate;
      assert.ok(candidate?.lineage);
      const origin: PromptWritten = candidate.slot === first.slot ? first : second;
      assert.equal(candidate.id, answer.idempotencyKey);
      assert.equal(candidate.setIndex, 1);
      assert.deepEqual(candidate.lineage.promptDemos, origin.promptDemos);
      assert.ok(candidate.lineage.answerDemos.length > 0);
      assert.ok(candidate.lineage.answerDemos.every((d) => typeof d.score === "number"));
      assert.equal(out.headers["x-request-id"], "req-answers");
    }
    assert.equal(llm.requests.length, SLOTS + 2);
  });

  test("the same work delivered again is answered from its records: identical results, no LLM call", {
    skip,
  }, async () => {
    const before = on(TOPICS.promptWritten.name).length;
    for (const slot of [0, 1, 2]) {
      const record = outgoingMessage(
        TOPICS.promptWork,
        fixturePromptWork("run-a", slot, { correlationId: "req-a" }),
      );
      await send(TOPICS.promptWork.name, record.value, "run-a", { ...record.headers });
    }
    await waitFor("3 more PromptWritten", () => on(TOPICS.promptWritten.name).length === before + 3);
    const all = on(TOPICS.promptWritten.name);
    for (const again of all.slice(before)) {
      const slot = (decodeTopicMessage(TOPICS.promptWritten, again.value) as PromptWritten).slot;
      const original = all
        .slice(0, before)
        .find((s) => (decodeTopicMessage(TOPICS.promptWritten, s.value) as PromptWritten).slot === slot);
      assert.deepEqual(again.value, original?.value, `slot ${slot}: byte-identical`);
      assert.deepEqual(again.headers, original?.headers);
    }
    assert.equal(llm.requests.length, SLOTS + 2, "no completion for a redelivery");
  });

  test("poison goes to the stage's dead-letter topic with the reason, and the consumer carries on", {
    skip,
  }, async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    await send(TOPICS.promptWork.name, garbage, "run-x", { "x-request-id": "req-junk" });
    await send(TOPICS.answerWork.name, garbage, "run-y");
    const wrongKey = { ...fixturePromptWork("run-b", 1), idempotencyKey: "not-the-sample-id" };
    const invalid = outgoingMessage(TOPICS.promptWork, wrongKey);
    await send(TOPICS.promptWork.name, invalid.value, "run-b", { ...invalid.headers });
    const next = outgoingMessage(TOPICS.promptWork, fixturePromptWork("run-b", 0));
    await send(TOPICS.promptWork.name, next.value, "run-b", { ...next.headers });

    await waitFor(
      "three dead letters",
      () => on(TOPICS.promptsDeadLetter.name).length === 2 && on(TOPICS.answersDeadLetter.name).length === 1,
    );
    const letters = [...on(TOPICS.promptsDeadLetter.name), ...on(TOPICS.answersDeadLetter.name)].map((s) => ({
      ...s,
      letter: decodeTopicMessage(TOPICS.promptsDeadLetter, s.value) as DeadLetter,
    }));
    const junk = letters.find((l) => l.key === "run-x");
    assert.ok(junk);
    assert.deepEqual(junk.letter.payload, garbage);
    assert.equal(junk.letter.error?.code, ErrorCode.INVALID_ARGUMENT);
    assert.match(junk.letter.reason, /not a valid isara.v1.PromptWork/);
    assert.equal(junk.letter.consumerGroup, "generation");
    assert.equal(junk.headers["x-request-id"], "req-junk");
    const answerJunk = letters.find((l) => l.key === "run-y");
    assert.ok(answerJunk);
    assert.equal(answerJunk.topic, TOPICS.answersDeadLetter.name);
    assert.match(answerJunk.letter.reason, /not a valid isara.v1.AnswerWork/);
    const wrong = letters.find((l) => l.key === "run-b");
    assert.ok(wrong);
    assert.equal(wrong.letter.error?.code, ErrorCode.INVALID_ARGUMENT);
    assert.match(wrong.letter.reason, /idempotency_key is "not-the-sample-id"/);
    assert.equal(wrong.letter.context?.run, "run-b");

    await waitFor("PromptWritten of run-b after the poison", () =>
      on(TOPICS.promptWritten.name).some((s) => s.key === "run-b"),
    );
  });

  test("metrics count slots and dead letters; shutdown drains, commits every message once, and closes", {
    skip,
  }, async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /isara_generation_slots_total\{[^}]*stage="prompts",outcome="written"[^}]*\} 7/);
    assert.match(metrics, /isara_generation_slots_total\{[^}]*stage="prompts",outcome="replayed"[^}]*\} 3/);
    assert.match(metrics, /isara_generation_slots_total\{[^}]*stage="answers",outcome="written"[^}]*\} 2/);
    assert.match(
      metrics,
      /isara_dead_letters_total\{[^}]*topic="isara.prompts.work",code="invalid_argument"[^}]*\} 2/,
    );
    assert.match(
      metrics,
      /isara_dead_letters_total\{[^}]*topic="isara.answers.work",code="invalid_argument"[^}]*\} 1/,
    );
    assert.match(metrics, /isara_generation_in_flight\{[^}]*\} 0/);

    const report = await shutdown.shutdown("test");
    assert.equal(report.ok, true, JSON.stringify(report.results));
    assert.deepEqual(
      report.results.map((r) => r.name),
      ["kafka-consumer", "llm", "retrieval-client", "kafka-producer"],
    );
    const draining = await fetch(`${base}/readyz`);
    assert.equal(draining.status, 503);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({
      groupId: "generation",
      topics: [TOPICS.promptWork.name, TOPICS.answerWork.name],
    });
    await admin.disconnect();
    const committed = (topic: string) =>
      (offsets.find((o) => o.topic === topic)?.partitions ?? []).reduce(
        (sum, p) => sum + Math.max(0, Number(p.offset)),
        0,
      );
    assert.equal(
      committed(TOPICS.promptWork.name),
      sent.prompts,
      "every prompt work committed after its effects",
    );
    assert.equal(committed(TOPICS.answerWork.name), sent.answers);
  });

  test("the process starts from its environment, writes, and exits 0 on SIGTERM after a clean shutdown", {
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
        MODEL_PATH: modelPath,
        LLM_PARALLEL: "1",
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

    const work = outgoingMessage(TOPICS.promptWork, fixturePromptWork("run-b", 2));
    await send(TOPICS.promptWork.name, work.value, "run-b", { ...work.headers });
    await waitFor("PromptWritten of run-b slot 2 from the process", () =>
      prompts().some((p) => p.context?.run === "run-b" && p.slot === 2),
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
