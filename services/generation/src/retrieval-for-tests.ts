/**
 * Test support: the REAL retrieval service (`@isara/retrieval`'s app: RetrievalService over gRPC)
 * on a loopback port, over a real LanceDB store in a temp folder. Only its embedding model is replaced,
 * by the deterministic `hashEmbedderForTests` of `@isara/testkit`. Seeds are stored through its own gRPC `Upsert`, as the
 * controller stores them. Not exported.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { RetrievalServiceClient, sampleToWire } from "@isara/contracts";
import type { Sample } from "@isara/core";
import { createRootLogger } from "@isara/kit";
import { bindGrpcServer } from "@isara/kit/grpc";
import { createRetrievalApp } from "@isara/retrieval";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { hashEmbedderForTests } from "@isara/testkit";

/** A running retrieval service. */
export interface RetrievalForTests {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** Stores samples (with their prompt embeddings) through gRPC Upsert. */
  upsert(samples: readonly Sample[]): Promise<void>;
  /** JSON log lines the service wrote. */
  readonly logs: readonly Record<string, unknown>[];
  /** Stops the server right away (calls in flight fail as UNAVAILABLE / CANCELLED). */
  stop(): Promise<void>;
  /** Stops the server, closes the store and deletes its folder. */
  close(): Promise<void>;
}

/** Starts the retrieval service (see the module comment). */
export async function startRetrievalForTests(): Promise<RetrievalForTests> {
  const dir = await mkdtemp(join(tmpdir(), "isara-generation-retrieval-"));
  const embedder = hashEmbedderForTests();
  const store = await openLanceVectorStore({ dir, dimension: embedder.dimension });
  const logs: Record<string, unknown>[] = [];
  const logger = createRootLogger({
    level: "debug",
    name: "retrieval",
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const app = createRetrievalApp({ logger, store, embedder });
  const port = await bindGrpcServer(app.server, "127.0.0.1:0");
  app.markServing();
  const address = `127.0.0.1:${port}`;
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  let stopped: Promise<unknown> | undefined;
  const stop = async () => {
    stopped ??= app.closeGrpc(0);
    await stopped;
  };
  return {
    address,
    logs,
    upsert: (samples) =>
      new Promise<void>((resolve, reject) => {
        const first = samples[0];
        if (first === undefined) return resolve();
        const context = { run: first.run, domain: first.domain, round: 0, correlationId: "test-seeds" };
        client.upsert(
          { context, samples: samples.map(sampleToWire), vectors: [] },
          (err: ServiceError | null) => (err ? reject(err) : resolve()),
        );
      }),
    stop,
    async close() {
      client.close();
      await stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
