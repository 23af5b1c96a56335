/**
 * The gateway in front of the REAL controller (services/controller's app on a real Kafka broker from
 * @isara/testkit/kafka), sharing one artifact folder as in a deployment: a domain created through the
 * gateway is snapshotted by the controller from `DomainRef.source`, the run's status, list, events
 * and cancel come from the controller's own state machine, and round 0's samples are read from the
 * snapshot the controller wrote. The only stand-in is where the controller stores a new run's seeds
 * (the retrieval service), a test double recording them. No stage service runs, so runs stay in their
 * first phase until cancelled. Skipped, with the reason, where Java or the Kafka jars are missing.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { credentials, ServerCredentials } from "@grpc/grpc-js";
import { ControllerServiceClient } from "@isara/contracts";
import { type ControllerApp, createControllerApp, type SeedStore } from "@isara/controller";
import { parseRunState, type Sample } from "@isara/core";
import {
  artifactVolumeCheck,
  createGatewayApp,
  type GatewayApp,
  hashToken,
  parseTokenTable,
} from "@isara/gateway";
import { AUTH, domainBody, seedPairs, TOKENS } from "@isara/gateway/testing";
import { createRootLogger, createShutdown, type Shutdown } from "@isara/kit";
import { FileRunStore, FsArtifactStore } from "@isara/store-fs";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { Kafka, logLevel } from "kafkajs";

const skip = kafkaSkipReason();

/** TEST DOUBLE of the retrieval service's seed store: records the seeds the controller stores per run. */
class RecordingSeedStore implements SeedStore {
  readonly stored = new Map<string, readonly Sample[]>();
  async storeSeeds(context: { run: string }, seeds: readonly Sample[]): Promise<void> {
    this.stored.set(context.run, seeds);
  }
  close(): void {}
}

describe("the gateway in front of the real controller", { skip }, () => {
  const logger = createRootLogger({ level: "silent", name: "gateway-controller-test" });
  const seeds = new RecordingSeedStore();
  let broker: KafkaBroker;
  let dir: string;
  let controller: ControllerApp;
  let shutdown: Shutdown;
  let client: ControllerServiceClient;
  let gateway: GatewayApp;

  before(async () => {
    broker = await startKafka();
    dir = await mkdtemp(join(tmpdir(), "isara-gateway-controller-"));
    const artifacts = new FsArtifactStore({ root: dir });
    controller = createControllerApp({
      logger,
      kafka: new Kafka({ clientId: "gateway-test", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }),
      artifacts,
      runStore: new FileRunStore({ dir, parse: parseRunState, layout: "folder-per-run" }),
      domainsDir: undefined,
      baseModel: "tiny-base",
      seeds,
      adapterReference: "gguf",
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      drainTimeoutMs: 2000,
      shutdownTimeoutMs: 10_000,
      consumer: { heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
    });
    shutdown = createShutdown({ logger, timeoutMs: 10_000, onStart: (r) => controller.startDraining(r) });
    await controller.start(shutdown);
    const port = await new Promise<number>((resolve, reject) =>
      controller.server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    shutdown.register("grpc", () => controller.closeGrpc(5000));
    controller.markServing();
    client = new ControllerServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
    gateway = createGatewayApp({
      logger,
      controller: client,
      artifacts,
      artifactsReady: artifactVolumeCheck(artifacts.root),
      tokens: parseTokenTable(
        JSON.stringify({ [hashToken(TOKENS.acme)]: "acme", [hashToken(TOKENS.globex)]: "globex" }),
        "test tokens",
      ),
    });
  });

  after(async () => {
    await gateway?.server.close();
    client?.close();
    await shutdown?.shutdown("tests done");
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const inject = (
    method: "GET" | "POST",
    url: string,
    payload?: object,
    headers: Record<string, string> = AUTH.acme,
  ) => gateway.server.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  test("a run started through the gateway runs on the tenant's domain, and reads back from the controller", async () => {
    assert.equal((await inject("POST", "/v1/domains", domainBody("habits"))).statusCode, 201);
    const created = await inject("POST", "/v1/runs", {
      domain: "habits",
      runId: "real-1",
      overrides: { rounds: 1, promptsPerRound: 2 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const run = created.json() as { id: string; state: string; plannedRounds: number; domain: string };
    assert.equal(run.id, "real-1");
    assert.equal(run.domain, "habits");
    assert.equal(run.state, "running");
    assert.equal(run.plannedRounds, 1);
    assert.deepEqual(
      seeds.stored.get("acme--real-1")?.map((s) => s.prompt),
      seedPairs().map((s) => s.prompt),
      "the controller read the seeds from the tenant's domain folder",
    );

    const again = await inject("POST", "/v1/runs", {
      domain: "habits",
      runId: "real-1",
      overrides: { rounds: 1, promptsPerRound: 2 },
    });
    assert.equal(again.statusCode, 201, "the same request again is the same run");
    const conflict = await inject("POST", "/v1/runs", { domain: "habits", runId: "real-1", mode: "base" });
    assert.equal(conflict.statusCode, 409);

    const samples = await inject("GET", "/v1/runs/real-1/samples?round=0");
    assert.equal(samples.statusCode, 200);
    const page = samples.json() as { samples: { prompt: string; accepted: boolean }[] };
    assert.deepEqual(
      page.samples.map((s) => s.prompt),
      seedPairs().map((s) => s.prompt),
    );

    const list = await inject("GET", "/v1/runs");
    assert.deepEqual(
      (list.json() as { runs: { id: string }[] }).runs.map((r) => r.id),
      ["real-1"],
    );
    const metrics = await inject("GET", "/v1/runs/real-1/metrics");
    assert.equal(metrics.statusCode, 200);
  });

  test("another tenant cannot see or cancel the run; the real controller answers 404 for its scoped id", async () => {
    for (const url of ["/v1/runs/real-1", "/v1/runs/real-1/samples", "/v1/runs/real-1/events"]) {
      const res = await inject("GET", url, undefined, AUTH.globex);
      assert.equal(res.statusCode, 404, url);
    }
    assert.equal((await inject("POST", "/v1/runs/real-1/cancel", {}, AUTH.globex)).statusCode, 404);
    const list = await inject("GET", "/v1/runs", undefined, AUTH.globex);
    assert.deepEqual((list.json() as { runs: unknown[] }).runs, []);
    const own = await inject("GET", "/v1/runs/real-1");
    assert.equal((own.json() as { state: string }).state, "running");
  });

  test("events relay the controller's WatchRun: the cancel shows up, then the stream ends", async () => {
    // Whether the watch opens before or after the cancel, it shows the cancelled run and then ends.
    const stream = inject("GET", "/v1/runs/real-1/events");
    const cancelled = await inject("POST", "/v1/runs/real-1/cancel", { reason: "enough" });
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal((cancelled.json() as { state: string }).state, "cancelled");
    const res = await stream;
    assert.equal(res.statusCode, 200);
    const events = res.body
      .split("\n\n")
      .filter((b) => b.includes("event: "))
      .map((b) =>
        b
          .split("\n")
          .find((l) => l.startsWith("event: "))
          ?.slice(7),
      );
    assert.equal(events[0], "status");
    assert.equal(events.at(-1), "end");
    assert.match(res.body, /"state":"cancelled"/);
  });
});
