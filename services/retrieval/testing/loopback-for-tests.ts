/**
 * FOR TESTS: runs the retrieval app over a real gRPC server on a loopback port (port 0) with a real
 * LanceDB store in a temp folder, and gives typed promise-based clients for RetrievalService and
 * grpc.health.v1. Nothing here is faked; only the embedder is chosen by the test.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  type Client,
  type ClientReadableStream,
  credentials,
  Metadata,
  makeClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import {
  type DeleteRunSamplesRequest,
  type DeleteRunSamplesResponse,
  type EmbedRequest,
  type EmbedResponse,
  type ListSamplesRequest,
  type ListSamplesResponse,
  RetrievalServiceClient,
  type SelectDemosRequest,
  type SelectDemosResponse,
  type UpsertRequest,
  type UpsertResponse,
} from "@isara/contracts";
import type { Embedder } from "@isara/core";
import { createRootLogger } from "@isara/kit";
import { bindGrpcServer, healthServiceDefinition } from "@isara/kit/grpc";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { createRetrievalApp, type RetrievalApp } from "../src/app.js";

type Unary<Req, Res> = (req: Req, md: Metadata, cb: (err: ServiceError | null, res: Res) => void) => unknown;

function promised<Req, Res>(client: Client, method: Unary<Req, Res>) {
  return (request: Req, metadata: Metadata = new Metadata()): Promise<Res> =>
    new Promise((resolve, reject) =>
      method.call(client, request, metadata, (err, res) => (err ? reject(err) : resolve(res))),
    );
}

/** A grpc.health.v1 client, typed for what the tests call. */
export interface HealthClient extends Client {
  check(
    request: { service: string },
    cb: (err: ServiceError | null, res: { status: string }) => void,
  ): unknown;
  watch(request: { service: string }): ClientReadableStream<{ status: string }>;
}

/** A running app with its clients. */
export interface Loopback {
  readonly app: RetrievalApp;
  readonly address: string;
  readonly embed: (req: EmbedRequest, md?: Metadata) => Promise<EmbedResponse>;
  readonly upsert: (req: UpsertRequest, md?: Metadata) => Promise<UpsertResponse>;
  readonly selectDemos: (req: SelectDemosRequest, md?: Metadata) => Promise<SelectDemosResponse>;
  readonly listSamples: (req: ListSamplesRequest, md?: Metadata) => Promise<ListSamplesResponse>;
  readonly deleteRunSamples: (
    req: DeleteRunSamplesRequest,
    md?: Metadata,
  ) => Promise<DeleteRunSamplesResponse>;
  readonly health: HealthClient;
  readonly check: (service?: string) => Promise<string>;
  /** Every JSON log line the app wrote. */
  readonly logs: () => Record<string, unknown>[];
  /** Stops the server (forced), closes clients and the store, and removes the temp folder. */
  close(): Promise<void>;
}

/** Starts the app with `embedder` over a fresh LanceDB folder, bound to 127.0.0.1:0 and serving. */
export async function startLoopback(embedder: Embedder): Promise<Loopback> {
  const dir = await mkdtemp(join(tmpdir(), "isara-retrieval-"));
  const store = await openLanceVectorStore({ dir, dimension: embedder.dimension });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createRootLogger({ level: "debug", name: "retrieval", destination });
  const app = createRetrievalApp({ logger, store, embedder });
  const port = await bindGrpcServer(app.server, "127.0.0.1:0");
  app.markServing();
  const address = `127.0.0.1:${port}`;
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  const HealthCtor = makeClientConstructor(healthServiceDefinition, "Health");
  const health = new HealthCtor(address, credentials.createInsecure()) as unknown as HealthClient;
  return {
    app,
    address,
    embed: promised(client, client.embed as Unary<EmbedRequest, EmbedResponse>),
    upsert: promised(client, client.upsert as Unary<UpsertRequest, UpsertResponse>),
    selectDemos: promised(client, client.selectDemos as Unary<SelectDemosRequest, SelectDemosResponse>),
    listSamples: promised(client, client.listSamples as Unary<ListSamplesRequest, ListSamplesResponse>),
    deleteRunSamples: promised(
      client,
      client.deleteRunSamples as Unary<DeleteRunSamplesRequest, DeleteRunSamplesResponse>,
    ),
    health,
    check: (service = "") =>
      new Promise((resolve, reject) =>
        health.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))),
      ),
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async close() {
      client.close();
      health.close();
      await app.closeGrpc(1000);
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
