import assert from "node:assert/strict";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ServiceError, status } from "@grpc/grpc-js";
import type { Embedder } from "@isara/core";
import { createHashingEmbedder } from "@isara/embedder-local";
import { type Loopback, startLoopback } from "../testing/loopback-for-tests.js";
import { context } from "../testing/samples-for-tests.js";
import { RETRIEVAL_SERVICE_NAME } from "./app.js";

/** The test embedder, but every embed waits until the test opens the gate: a call held in flight. */
function gatedEmbedder(): { embedder: Embedder; entered: Promise<void>; open: () => void } {
  const base = createHashingEmbedder({ dimension: 8 });
  let open: () => void = () => {};
  let signalEntered: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const entered = new Promise<void>((resolve) => {
    signalEntered = resolve;
  });
  const embedder: Embedder = {
    modelId: base.modelId,
    dimension: base.dimension,
    async embed(texts) {
      signalEntered();
      await gate;
      return base.embed(texts);
    },
    close: () => base.close(),
  };
  return { embedder, entered, open };
}

async function serveProbes(
  svc: Loopback,
): Promise<{ server: HttpServer; get: (path: string) => Promise<Response> }> {
  const server = createServer(svc.app.handleHttp);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, get: (path) => fetch(`http://127.0.0.1:${port}${path}`) };
}

describe("health, probes and metrics", () => {
  let svc: Loopback;
  let probes: Awaited<ReturnType<typeof serveProbes>>;
  before(async () => {
    svc = await startLoopback(createHashingEmbedder({ dimension: 8 }));
    probes = await serveProbes(svc);
  });
  after(async () => {
    probes.server.close();
    await svc.close();
  });

  it("reports SERVING for the server and the service, NOT_FOUND for an unknown service", async () => {
    assert.equal(await svc.check(""), "SERVING");
    assert.equal(await svc.check(RETRIEVAL_SERVICE_NAME), "SERVING");
    await assert.rejects(
      svc.check("isara.v1.NoSuchService"),
      (err: ServiceError) => err.code === status.NOT_FOUND,
    );
  });

  it("serves /healthz, /readyz and /metrics with per-method call counts", async () => {
    await svc.embed({ context: context("metrics-run"), texts: ["one", "two"] });
    await assert.rejects(svc.embed({ context: context("metrics-run"), texts: [] }));
    assert.equal((await probes.get("/healthz")).status, 200);
    const ready = await probes.get("/readyz");
    assert.equal(ready.status, 200);
    assert.match(await ready.text(), /serving isara\.v1\.RetrievalService/);
    const metrics = await (await probes.get("/metrics")).text();
    assert.match(metrics, /isara_grpc_server_calls_total\{method="Embed",code="OK",service="retrieval"\} 1/);
    assert.match(
      metrics,
      /isara_grpc_server_calls_total\{method="Embed",code="INVALID_ARGUMENT",service="retrieval"\} 1/,
    );
    assert.match(metrics, /isara_retrieval_texts_embedded_total\{service="retrieval"\} 2/);
    assert.equal((await probes.get("/nope")).status, 404);
  });
});

describe("graceful shutdown", () => {
  it("turns NOT_SERVING when draining, lets the call in flight finish, then ends Watch streams", async () => {
    const { embedder, entered, open } = gatedEmbedder();
    const svc = await startLoopback(embedder);
    const probes = await serveProbes(svc);
    try {
      const watched: string[] = [];
      const watch = svc.health.watch({ service: RETRIEVAL_SERVICE_NAME });
      const watchEnded = new Promise<void>((resolve) => {
        watch.on("data", (msg: { status: string }) => watched.push(msg.status));
        watch.on("status", () => resolve());
        watch.on("error", () => resolve());
      });
      const inFlight = svc.embed({ context: context("drain-run"), texts: ["held"] });
      await entered;
      assert.equal(await svc.check(), "SERVING");

      svc.app.startDraining("test");
      assert.equal(await svc.check(), "NOT_SERVING");
      assert.equal(await svc.check(RETRIEVAL_SERVICE_NAME), "NOT_SERVING");
      const ready = await probes.get("/readyz");
      assert.equal(ready.status, 503);
      assert.match(await ready.text(), /shutting down \(test\)/);

      const closing = svc.app.closeGrpc(30_000);
      open();
      const res = await inFlight;
      assert.equal(res.vectors.length, 1, "the call in flight completed");
      assert.equal(await closing, "graceful");
      await watchEnded;
      assert.deepEqual(watched, ["SERVING", "NOT_SERVING"]);
    } finally {
      probes.server.close();
      await svc.close();
    }
  });

  it("forces the server down when a call outlives the timeout", async () => {
    const { embedder, entered, open } = gatedEmbedder();
    const svc = await startLoopback(embedder);
    try {
      const inFlight = svc.embed({ context: context("stuck-run"), texts: ["stuck"] });
      await entered;
      assert.equal(await svc.app.closeGrpc(50), "forced");
      await assert.rejects(inFlight, (err: ServiceError) =>
        [status.CANCELLED, status.UNAVAILABLE].includes(err.code),
      );
    } finally {
      open();
      await svc.close();
    }
  });
});
