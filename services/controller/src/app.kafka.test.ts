/**
 * The controller on a real Kafka broker (started by @isara/testkit/kafka): runs created over gRPC are
 * driven to `done` through the real topics, with a test double playing the stage services (see
 * test-workers.ts) that answers every per-slot work twice, so duplicates are always in flight. Also:
 * two runs of different domains at once, a controller restarted mid-round (a new app on the same
 * folder), a bad domain refused with nothing stored, probes, metrics and a graceful shutdown.
 * Skipped, with the reason, where Java or the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { status as grpcStatus, type ServiceError } from "@grpc/grpc-js";
import { decodeTopicMessage, RunLifecycle, RunMode, type RunSpec, TOPICS } from "@isara/contracts";
import { sampleId } from "@isara/core";
import {
  createCatalogueProducer,
  kafkaLogging,
  type OutgoingMessage,
  outgoingMessage,
} from "@isara/kafka-kit";
import { createShutdown, freePort, type Shutdown } from "@isara/kit";
import { bindGrpcServer } from "@isara/kit/grpc";
import { lineLogger, waitFor } from "@isara/testkit";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { type Consumer, Kafka, type Producer } from "kafkajs";
import { controllerClient } from "../testing/test-client.js";
import { controllerStores, writeDomain } from "../testing/test-fixtures.js";
import { respondTo, WORK_TOPIC_NAMES } from "../testing/test-workers.js";
import { type ControllerApp, createControllerApp } from "./app.js";
import { createRetrievalSeedStore } from "./seed-store.js";

const skip = kafkaSkipReason();
const mainScript = join(dirname(fileURLToPath(import.meta.url)), "main.js");

interface Running {
  readonly app: ControllerApp;
  readonly shutdown: Shutdown;
  readonly client: ReturnType<typeof controllerClient>;
}

describe("the controller on a real broker", () => {
  let broker: KafkaBroker;
  let dir: string;
  let root: string;
  let domainsDir: string;
  let kafka: Kafka;
  let current: Running | undefined;
  let child: ChildProcess | undefined;
  let retrieval: RetrievalServiceForTests;
  let workers: Consumer;
  let workerProducer: Producer;
  /** Result records the test-double workers sent, by topic. */
  const sent = new Map<string, OutgoingMessage[]>();
  /** While set, the workers drop AnswerWork of this run for slots 2 and 3 (as if that work was lost). */
  let losing: string | undefined;
  /** AnswerWork the workers drop the first time they see it, as `<run>/<slot>` (lost on the way). */
  const dropOnce = new Set<string>();
  const logLines: Record<string, unknown>[] = [];
  /** The controller's last log lines, for a wait that gives up. */
  const recentLog = () =>
    logLines
      .slice(-20)
      .map((l) => JSON.stringify(l))
      .join("\n");
  const logger = lineLogger("controller", logLines);

  async function startController(): Promise<Running> {
    const app = createControllerApp({
      logger,
      kafka,
      ...controllerStores(root),
      domainsDir,
      baseModel: "tiny-base",
      seeds: createRetrievalSeedStore(retrieval.address),
      adapterReference: "gguf",
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      drainTimeoutMs: 2000,
      shutdownTimeoutMs: 10_000,
      consumer: { heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
      // Short, so that the stall test sees lost work published again within the test.
      stallTimeoutMs: 3000,
    });
    const shutdown = createShutdown({ logger, timeoutMs: 10_000, onStart: (r) => app.startDraining(r) });
    await app.start(shutdown);
    const port = await bindGrpcServer(app.server, "127.0.0.1:0");
    shutdown.register("grpc", () => app.closeGrpc(5000));
    app.markServing();
    const client = controllerClient(`127.0.0.1:${port}`);
    return { app, shutdown, client };
  }

  before(async () => {
    if (skip !== false) return;
    broker = await startKafka();
    retrieval = await startRetrievalService();
    dir = await mkdtemp(join(tmpdir(), "isara-controller-kafka-"));
    root = join(dir, "artifacts");
    domainsDir = join(dir, "domains");
    await writeDomain(domainsDir, "alpha");
    await writeDomain(domainsDir, "beta");
    await writeDomain(domainsDir, "broken", {
      config: JSON.stringify({ name: "broken", isara: { promptsPerRound: 0 } }),
      seeds: '{"prompt": "one", "response": "seed"}\n',
    });
    kafka = new Kafka({ clientId: "controller-test", brokers: [broker.bootstrap], ...kafkaLogging(logger) });
  });

  after(async () => {
    child?.kill("SIGKILL");
    current?.client.close();
    await current?.shutdown.shutdown("tests done");
    await workers?.disconnect();
    await workerProducer?.disconnect();
    await broker?.stop();
    await retrieval?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const spec = (runId: string, domain: string): RunSpec => ({
    runId,
    domain: { name: domain, source: "" },
    mode: RunMode.ISARA,
    overrides: undefined,
  });

  async function slotLines(run: string, phase: string): Promise<number> {
    const text = await readFile(join(root, run, "controller/round-1", `${phase}.jsonl`), "utf8");
    return text.trim().split("\n").length;
  }

  test("starts: topics created, runs loaded, the group joined, gRPC health SERVING", { skip }, async () => {
    current = await startController();
    // start() resolves once the consumer runs; on a busy machine the first join to a fresh broker can
    // crash (its group coordinator still loading) and is restarted, so readiness may take a moment.
    const app = current.app;
    let readiness = await app.health.readiness();
    await waitFor(
      "readiness",
      async () => {
        readiness = await app.health.readiness();
        return readiness.status === "ok";
      },
      30_000,
      () => `${JSON.stringify(readiness.checks)}\n${recentLog()}`,
    );
    assert.equal(await current.client.health("isara.v1.ControllerService"), "SERVING");

    // The test double of the stage services: answers each work, sending every per-slot result twice.
    workerProducer = createCatalogueProducer(kafka);
    await workerProducer.connect();
    workers = kafka.consumer({ groupId: "test-double-workers", maxWaitTimeInMs: 200 });
    await workers.connect();
    await workers.subscribe({
      topics: WORK_TOPIC_NAMES,
      fromBeginning: true,
    });
    const { artifacts } = controllerStores(root);
    await workers.run({
      partitionsConsumedConcurrently: 4,
      eachMessage: async ({ topic, message }) => {
        const value = message.value ?? Buffer.alloc(0);
        if (topic === TOPICS.answerWork.name && losing !== undefined) {
          const work = decodeTopicMessage(TOPICS.answerWork, value);
          if (work.context?.run === losing && work.slot >= 2) return;
        }
        if (topic === TOPICS.answerWork.name && dropOnce.size > 0) {
          const work = decodeTopicMessage(TOPICS.answerWork, value);
          if (dropOnce.delete(`${work.context?.run}/${work.slot}`)) return;
        }
        const results = await respondTo({ topic, value }, artifacts);
        const perSlot = topic !== TOPICS.trainWork.name && topic !== TOPICS.evalWork.name;
        const records = perSlot ? [...results, ...results] : results;
        for (const r of records) sent.set(r.topic, [...(sent.get(r.topic) ?? []), r]);
        await workerProducer.sendBatch({
          topicMessages: records.map((r) => ({
            topic: r.topic,
            messages: [{ key: r.key, value: r.value, headers: { ...r.headers } }],
          })),
        });
      },
    });
  });

  test("CreateRun with a bad domain is INVALID_ARGUMENT listing every problem, and stores nothing", {
    skip,
  }, async () => {
    assert.ok(current);
    await assert.rejects(
      current.client.createRun({ spec: spec("broken-1", "broken") }),
      (err: ServiceError) => {
        assert.equal(err.code, grpcStatus.INVALID_ARGUMENT);
        assert.match(err.details, /isara.promptsPerRound/);
        assert.match(err.details, /seeds.jsonl/);
        assert.match(err.details, /at least 8/);
        return true;
      },
    );
    const unknown = await current.client.getRun("broken-1").catch((err: ServiceError) => err.code);
    assert.equal(unknown, grpcStatus.NOT_FOUND);
    assert.deepEqual(await readdir(root).catch(() => []), [], "no run folder was written");
  });

  test("two runs of different domains run at once and both finish; duplicates are not counted", {
    skip,
  }, async () => {
    assert.ok(current);
    const { client } = current;
    const [a, b] = await Promise.all([
      client.createRun({ spec: spec("alpha-run", "alpha") }, "req-alpha"),
      client.createRun({ spec: spec("beta-run", "beta") }, "req-beta"),
    ]);
    assert.equal(a.run?.lifecycle, RunLifecycle.RUNNING);
    assert.equal(b.run?.domain, "beta");
    const watched = client.watchRun("alpha-run");
    await waitFor(
      "both runs done",
      async () => {
        const runs = await Promise.all([client.getRun("alpha-run"), client.getRun("beta-run")]);
        return runs.every((r) => r.run?.lifecycle === RunLifecycle.DONE);
      },
      45_000,
      recentLog,
    );
    const statuses = await watched;
    assert.equal(statuses.at(-1)?.lifecycle, RunLifecycle.DONE, "WatchRun ends with the final status");
    assert.ok(statuses.length >= 2, "WatchRun sent the current status and the changes after it");

    for (const run of ["alpha-run", "beta-run"]) {
      const status = (await client.getRun(run)).run;
      assert.equal(status?.rounds[1]?.promptsWritten, 4);
      assert.equal(status?.rounds[1]?.answersWritten, 4);
      assert.deepEqual(status?.rounds[1]?.filter, {
        written: 4,
        accepted: 2,
        rejectedBy: { "min-words": 2 },
      });
      for (const phase of ["prompts", "answers", "filter"]) assert.equal(await slotLines(run, phase), 4);
      const seeds = await retrieval.list(run, 0);
      assert.equal(seeds.length, 8, "the run's seeds are set 0 in the retrieval service");
      const written = (sent.get(TOPICS.promptWritten.name) ?? []).filter((r) => r.key === run);
      assert.equal(written.length, 8, "every PromptWritten was sent twice");
    }
    const line = logLines.find((l) => l.msg === "phase completed" && l.run === "beta-run");
    assert.ok(line, "the controller logs each completed phase with its run");
    assert.equal(line.domain ?? "beta", "beta");
  });

  test("a controller restarted mid-round resumes the run; every slot ends exactly once", {
    skip,
  }, async () => {
    assert.ok(current);
    losing = "gamma-run";
    await current.client.createRun({ spec: spec("gamma-run", "alpha") }, "req-gamma");
    await waitFor("two of gamma's four answers", async () => {
      const status = (await current?.client.getRun("gamma-run"))?.run;
      return status?.phase === 2 && status.progress?.done === 2;
    });
    current.client.close();
    const report = await current.shutdown.shutdown("restart");
    assert.equal(report.ok, true, JSON.stringify(report.results));
    assert.deepEqual(
      report.results.map((r) => r.name),
      ["grpc", "kafka-consumer", "runs", "kafka-producer", "retrieval-client"],
    );

    losing = undefined;
    current = await startController();
    const client = current.client;
    await waitFor(
      "gamma done after the restart",
      async () => (await client.getRun("gamma-run")).run?.lifecycle === RunLifecycle.DONE,
    );
    for (const phase of ["prompts", "answers", "filter"])
      assert.equal(await slotLines("gamma-run", phase), 4);
    const gamma = (await client.getRun("gamma-run")).run;
    assert.equal(gamma?.rounds[1]?.answersWritten, 4);
    const resumed = logLines.find(
      (l) => l.msg === "outstanding work published again" && l.run === "gamma-run",
    );
    assert.ok(resumed, "the new controller published gamma's missing answers again");
    assert.equal(resumed.messages, 2);

    const list = await client.listRuns({ pageSize: 2 });
    assert.equal(list.runs.length, 2);
    assert.notEqual(list.nextPageToken, "");
    const rest = await client.listRuns({ pageSize: 2, pageToken: list.nextPageToken });
    assert.deepEqual([...list.runs, ...rest.runs].map((r) => r.runId).sort(), [
      "alpha-run",
      "beta-run",
      "gamma-run",
    ]);
    assert.deepEqual(
      (await client.listRuns({ domain: "beta" })).runs.map((r) => r.runId),
      ["beta-run"],
    );
  });

  test("a result the controller can never apply fails its run with the reason; RetryRun then finishes it", {
    skip,
  }, async () => {
    assert.ok(current);
    const { client } = current;
    losing = "poison-run";
    await client.createRun({ spec: spec("poison-run", "alpha") }, "req-poison");
    await waitFor("two of its four answers", async () => {
      const status = (await client.getRun("poison-run")).run;
      return status?.phase === 2 && status.progress?.done === 2;
    });
    // A broken stage answers a slot the round does not have.
    const answered = (sent.get(TOPICS.answerWritten.name) ?? []).find((r) => r.key === "poison-run");
    assert.ok(answered);
    const good = decodeTopicMessage(TOPICS.answerWritten, answered.value);
    assert.ok(good.candidate);
    const id = sampleId("poison-run", 1, 99);
    const bad = outgoingMessage(TOPICS.answerWritten, {
      ...good,
      idempotencyKey: id,
      candidate: { ...good.candidate, id, slot: 99 },
    });
    await workerProducer.send({
      topic: bad.topic,
      messages: [{ key: bad.key, value: bad.value, headers: { ...bad.headers } }],
    });
    await waitFor(
      "the run failed",
      async () => (await client.getRun("poison-run")).run?.lifecycle === RunLifecycle.FAILED,
    );
    const failed = (await client.getRun("poison-run")).run;
    assert.match(
      failed?.error?.message ?? "",
      /could not apply a result from isara\.answers\.written .*isara\.controller\.dlq.*slot 99/,
    );

    losing = undefined;
    const retried = await client.retryRun({ runId: "poison-run", reason: "the stage is fixed" });
    assert.equal(retried.run?.lifecycle, RunLifecycle.RUNNING);
    await waitFor(
      "the retried run done",
      async () => (await client.getRun("poison-run")).run?.lifecycle === RunLifecycle.DONE,
    );
    assert.equal((await client.getRun("poison-run")).run?.rounds[1]?.answersWritten, 4);
  });

  test("work lost on its way is published again after STALL_TIMEOUT, and the run finishes without a restart", {
    skip,
  }, async () => {
    assert.ok(current);
    const { client } = current;
    dropOnce.add("stall-run/1");
    await client.createRun({ spec: spec("stall-run", "alpha") }, "req-stall");
    await waitFor(
      "the stalled run done",
      async () => (await client.getRun("stall-run")).run?.lifecycle === RunLifecycle.DONE,
      45_000,
      recentLog,
    );
    assert.equal(dropOnce.size, 0, "slot 1's first AnswerWork was dropped");
    const stalled = logLines.find((l) => l.msg === "stalled work published again" && l.run === "stall-run");
    assert.ok(stalled, "the controller published the lost answer work again");
    assert.ok(Number(stalled.messages) >= 1);
    assert.equal((await client.getRun("stall-run")).run?.rounds[1]?.answersWritten, 4);
  });

  test("metrics count phases and runs; shutdown drains and closes in reverse order", { skip }, async () => {
    assert.ok(current);
    const metrics = await current.app.metrics.render();
    assert.match(metrics, /isara_controller_phases_completed_total\{[^}]*phase="filter"[^}]*\} 3/);
    assert.match(metrics, /isara_controller_runs\{[^}]*lifecycle="done"[^}]*\} 5/);
    assert.match(metrics, /isara_controller_stalled_work_total\{[^}]*phase="answers"[^}]*\} [1-9]/);
    assert.match(
      metrics,
      /isara_controller_run_failures_total\{[^}]*source="controller_dead_letter"[^}]*\} 1/,
    );
    current.client.close();
    const report = await current.shutdown.shutdown("test");
    assert.equal(report.ok, true, JSON.stringify(report.results));
    current = undefined;
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPICS.runEvents.name);
    await admin.disconnect();
    const total = offsets.reduce((n, o) => n + Number(o.high), 0);
    assert.ok(total >= 18, `six run events per run were published (${total})`);
  });

  test("the process starts from its environment, drives a run, and exits 0 on SIGTERM after a clean shutdown", {
    skip,
  }, async () => {
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const out: string[] = [];
    child = spawn(process.execPath, [mainScript], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: broker.bootstrap,
        ARTIFACT_ROOT: root,
        DOMAINS_DIR: domainsDir,
        RETRIEVAL_ADDRESS: retrieval.address,
        BASE_MODEL: "tiny-base",
        GRPC_PORT: String(grpcPort),
        HTTP_PORT: String(httpPort),
        DRAIN_TIMEOUT: "2s",
        TENANT_MAX_RUNNING: "1",
        TENANT_MAX_QUEUED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const proc = child;
    proc.stdout?.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    proc.stderr?.on("data", (chunk: Buffer) => out.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    const readyz = async () =>
      (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status;
    await waitFor("the process to be ready", async () => (await readyz()) === 200);

    const client = controllerClient(`127.0.0.1:${grpcPort}`);
    assert.equal(
      (await client.getRun("gamma-run")).run?.lifecycle,
      RunLifecycle.DONE,
      "earlier runs were loaded",
    );
    await client.createRun({ spec: spec("delta-run", "beta") }, "req-delta");
    await waitFor(
      "delta done",
      async () => (await client.getRun("delta-run")).run?.lifecycle === RunLifecycle.DONE,
    );

    // Tenant admission from the environment: one run of tenant acme runs, one waits, a third is refused.
    const first = await client.createRun({ spec: spec("acme--q1", "alpha") }, "req-q1");
    assert.equal(first.run?.lifecycle, RunLifecycle.RUNNING);
    const second = await client.createRun({ spec: spec("acme--q2", "alpha") }, "req-q2");
    assert.equal(second.run?.lifecycle, RunLifecycle.QUEUED);
    assert.equal(second.run?.queuePosition, 1);
    await assert.rejects(
      client.createRun({ spec: spec("acme--q3", "alpha") }, "req-q3"),
      (err: ServiceError) => {
        assert.equal(err.code, grpcStatus.RESOURCE_EXHAUSTED);
        assert.match(err.details, /TENANT_MAX_QUEUED/);
        return true;
      },
    );
    await waitFor(
      "the queued run started when the first finished, and finished too",
      async () => (await client.getRun("acme--q2")).run?.lifecycle === RunLifecycle.DONE,
    );
    assert.equal((await client.getRun("acme--q1")).run?.lifecycle, RunLifecycle.DONE);
    client.close();

    proc.kill("SIGTERM");
    assert.equal(await exited, 0, out.join(""));
    const lines = out
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg?: string; ok?: boolean; run?: string; requestId?: string });
    assert.equal(lines.find((l) => l.msg === "shutdown finished")?.ok, true);
    const created = lines.find((l) => l.msg === "run created" && l.run === "delta-run");
    assert.equal(created?.requestId, "req-delta", "logs carry the run and the request id");
  });
});
