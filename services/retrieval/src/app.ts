/**
 * The retrieval service, built from its adapters and never listening itself: `main.ts` (or a test)
 * gives it a vector store and an embedder, binds `server` on a port, serves `handleHttp`, and calls
 * `markServing`. The gRPC server carries RetrievalService and grpc.health.v1; the health status and
 * the `/readyz` readiness follow the same lifecycle: not serving → serving → draining → closed.
 */
import type { RequestListener } from "node:http";
import { Server } from "@grpc/grpc-js";
import { RetrievalServiceService } from "@isara/contracts";
import type { Embedder, VectorStore } from "@isara/core";
import {
  createHealthRegistry,
  createMetrics,
  createProbeListener,
  type HealthRegistry,
  type Logger,
  type Metrics,
} from "@isara/kit";
import { createGrpcHealth, type GrpcHealth, stopGrpcServer } from "@isara/kit/grpc";
import { createRetrievalHandlers } from "./retrieval-handlers.js";
import { createRetrievalMetrics } from "./service-metrics.js";

/** The fully qualified name of the service, as grpc.health.v1 callers ask for it. */
export const RETRIEVAL_SERVICE_NAME = "isara.v1.RetrievalService";

/** Largest request accepted: 1024 samples with long prompts and 384-d vectors fit; gRPC's default 4 MiB does not. */
export const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** What {@link createRetrievalApp} is built from. */
export interface RetrievalAppDeps {
  readonly logger: Logger;
  readonly store: VectorStore;
  readonly embedder: Embedder;
  /** Checks that the store answers (e.g. a Qdrant ping), for `/readyz`; none for a local store. */
  readonly storeProbe?: () => Promise<void>;
  /** Export Node process metrics (CPU, memory, GC) too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
}

/** The built service. */
export interface RetrievalApp {
  /** The gRPC server with RetrievalService and grpc.health.v1 added; not bound (see `bindGrpcServer`). */
  readonly server: Server;
  readonly health: HealthRegistry;
  readonly grpcHealth: GrpcHealth;
  readonly metrics: Metrics;
  /** Serves /healthz, /readyz and /metrics. */
  readonly handleHttp: RequestListener;
  /** Reports SERVING on grpc.health.v1 and lets readiness pass; call once the server is bound. */
  markServing(): void;
  /**
   * Begins shutdown: readiness fails and grpc.health.v1 reports NOT_SERVING (watchers are told), so
   * probes and load balancers stop sending new calls while calls in flight still run. Idempotent.
   */
  startDraining(reason: string): void;
  /**
   * Stops the gRPC server: drains (if not yet), ends health Watch streams, lets calls in flight
   * finish for up to `timeoutMs`, then forces the rest. Close the store and embedder after this.
   */
  closeGrpc(timeoutMs: number): Promise<"graceful" | "forced">;
}

/** Builds the retrieval service (see the module comment). Nothing listens until the caller binds. */
export function createRetrievalApp(deps: RetrievalAppDeps): RetrievalApp {
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: "retrieval" },
    processMetrics: deps.processMetrics ?? false,
  });
  const grpcHealth = createGrpcHealth([RETRIEVAL_SERVICE_NAME]);
  const server = new Server({ "grpc.max_receive_message_length": MAX_REQUEST_BYTES });
  server.addService(
    RetrievalServiceService,
    createRetrievalHandlers({
      store: deps.store,
      embedder: deps.embedder,
      logger: deps.logger,
      metrics: createRetrievalMetrics(metrics),
    }),
  );
  grpcHealth.addToServer(server);

  health.register("grpc", () => {
    if (grpcHealth.status !== "SERVING") throw new Error("the gRPC server is not serving yet");
    return `serving ${RETRIEVAL_SERVICE_NAME} (embedder ${deps.embedder.modelId}, ${deps.embedder.dimension}-d)`;
  });
  const probe = deps.storeProbe;
  if (probe !== undefined) health.register("vector-store", async () => probe().then(() => "reachable"));

  const startDraining = (reason: string): void => {
    health.startDraining(reason);
    grpcHealth.setStatus("NOT_SERVING");
  };

  return {
    server,
    health,
    grpcHealth,
    metrics,
    handleHttp: createProbeListener({
      health,
      metrics,
      logger: deps.logger,
      notFoundHint: "(the API is gRPC)",
    }),
    markServing() {
      if (!health.draining) grpcHealth.setStatus("SERVING");
    },
    startDraining,
    async closeGrpc(timeoutMs) {
      startDraining("closing");
      grpcHealth.closeWatches();
      return stopGrpcServer(server, timeoutMs);
    },
  };
}
