/**
 * Test support: the REAL retrieval service (`@isara/retrieval`'s app, RetrievalService over gRPC) on
 * a loopback port, over a real LanceDB store in a temp folder; only its embedding model is replaced by
 * the deterministic `hashEmbedderForTests` of `@isara/testkit`. Not exported.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { RetrievalServiceClient, sampleFromWire } from "@isara/contracts";
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
  /** Set `setIndex` of `run`, as ListSamples returns it. */
  list(run: string, setIndex: number): Promise<Sample[]>;
  /** Stops the server right away (calls fail as UNAVAILABLE). */
  stop(): Promise<void>;
  /** Stops the server, closes the store and deletes its folder. */
  close(): Promise<void>;
}

/** Starts the retrieval service (see the module comment). */
export async function startRetrievalForTests(): Promise<RetrievalForTests> {
  const dir = await mkdtemp(join(tmpdir(), "isara-controller-retrieval-"));
  const embedder = hashEmbedderForTests();
  const store = await openLanceVectorStore({ dir, dimension: embedder.dimension });
  const logger = createRootLogger({ level: "silent", name: "retrieval" });
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
    list: (run, setIndex) =>
      new Promise((resolve, reject) =>
        client.listSamples(
          {
            context: { run, domain: "", round: 0, correlationId: "test" },
            setIndex,
            pageSize: 0,
            pageToken: "",
          },
          (err: ServiceError | null, res) => (err ? reject(err) : resolve(res.samples.map(sampleFromWire))),
        ),
      ),
    stop,
    async close() {
      client.close();
      await stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
