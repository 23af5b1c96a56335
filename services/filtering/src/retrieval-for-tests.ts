/**
 * Test support: the REAL retrieval service (`@isara/retrieval`'s app: RetrievalService over gRPC)
 * on a loopback port, over a real LanceDB store in a temp folder. Only its embedding model is
 * replaced, by the deterministic `hashEmbedderForTests` of `@isara/testkit`. Not exported.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VectorStore } from "@isara/core";
import { createRootLogger } from "@isara/kit";
import { bindGrpcServer } from "@isara/kit/grpc";
import { createRetrievalApp, type RetrievalApp } from "@isara/retrieval";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { hashEmbedderForTests } from "@isara/testkit";

/** A running retrieval service. */
export interface RetrievalForTests {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  readonly app: RetrievalApp;
  /** The LanceDB store behind it, to compare what the service answers with what it holds. */
  readonly store: VectorStore;
  /** Calls of `method` the service answered with OK, read from its own Prometheus metrics. */
  okCalls(method: string): Promise<number>;
  /** Stops the server, closes the store and deletes its folder. */
  close(): Promise<void>;
}

/** Starts the retrieval service (see the module comment). */
export async function startRetrievalForTests(): Promise<RetrievalForTests> {
  const dir = await mkdtemp(join(tmpdir(), "isara-filtering-retrieval-"));
  const embedder = hashEmbedderForTests();
  const store = await openLanceVectorStore({ dir, dimension: embedder.dimension });
  const logger = createRootLogger({ level: "silent", name: "retrieval" });
  const app = createRetrievalApp({ logger, store, embedder });
  const port = await bindGrpcServer(app.server, "127.0.0.1:0");
  app.markServing();
  return {
    address: `127.0.0.1:${port}`,
    app,
    store,
    async okCalls(method) {
      const text = await app.metrics.render();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("isara_grpc_server_calls_total{") &&
            l.includes(`method="${method}"`) &&
            l.includes('code="OK"'),
        );
      return line === undefined ? 0 : Number(line.split(" ").pop());
    },
    async close() {
      await app.closeGrpc(0);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
