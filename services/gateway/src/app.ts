/**
 * The gateway, built from its adapters and never listening itself: `main.ts` (or a test) gives it a
 * logger, the controller's gRPC client, the artifact store and the token table, then listens (or
 * injects requests). One fastify instance serves the versioned API under `/v1` (bearer tokens per
 * tenant), and `/healthz`, `/readyz`, `/metrics` and `/openapi.json` without a token.
 *
 * Every request gets a request id (the caller's `x-request-id` when it is a sane id, else a new
 * UUID), echoed in the `x-request-id` response header, bound to its log lines with the tenant, run
 * and domain, and passed to the controller as gRPC metadata.
 */
import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import type { ControllerServiceClient } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import {
  childLogger,
  createHealthRegistry,
  createMetrics,
  type HealthCheck,
  type HealthRegistry,
  type Logger,
  logContextBindings,
  type Metrics,
} from "@isara/kit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { createAuthHook } from "./auth.js";
import { DEFAULT_BODY_LIMIT } from "./config.js";
import { createControllerCalls } from "./controller-calls.js";
import { registerDomainRoutes } from "./domain-routes.js";
import { DomainStore } from "./domain-store.js";
import { errorReply } from "./error-reply.js";
import { OPENAPI_INFO } from "./openapi-info.js";
import { registerProbeRoutes } from "./probe-routes.js";
import { createValidatorCompiler } from "./request-validators.js";
import { registerRunDataRoutes } from "./run-data-routes.js";
import { type OpenStreams, registerRunEvents } from "./run-events.js";
import { registerRunRoutes } from "./run-routes.js";
import { createGatewayMetrics } from "./service-metrics.js";
import type { TokenTable } from "./token-table.js";
import { useStrictUtf8Json } from "./utf8-json-body.js";

/** What {@link createGatewayApp} is built from. */
export interface GatewayAppDeps {
  readonly logger: Logger;
  /** The controller's generated gRPC client; the caller owns it (and closes it after the app). */
  readonly controller: ControllerServiceClient;
  /**
   * The shared artifact store: tenants' domains are written and runs' samples read here. The port,
   * so the app does not care how it is kept; listing a tenant's domains reads the folder `locate`
   * names, so `main.ts` gives the shared volume (`FsArtifactStore` at `ARTIFACT_ROOT`).
   */
  readonly artifacts: ArtifactStore;
  /**
   * Readiness of `artifacts`, reported as `artifact-store` on `/readyz`; for the volume,
   * `artifactVolumeCheck` (its root is readable and writable).
   */
  readonly artifactsReady: HealthCheck;
  readonly tokens: TokenTable;
  /** Largest request body in bytes (default 8 MiB); bigger ones get 413. */
  readonly bodyLimit?: number;
  /** Deadline of each unary controller call (default 10 s). */
  readonly controllerTimeoutMs?: number;
  /** Keep-alive comment interval on event streams (default 15 s). */
  readonly sseHeartbeatMs?: number;
  /** Export Node process metrics too; on in `main.ts`, off in tests. */
  readonly processMetrics?: boolean;
}

/** The built gateway. */
export interface GatewayApp {
  /** The fastify instance: `listen` it, `inject` into it, `close` it (ends open event streams first). */
  readonly server: FastifyInstance;
  readonly health: HealthRegistry;
  readonly metrics: Metrics;
}

/** A request id from the caller's header when it is a sane id (no spaces or control characters). */
function requestIdOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return logContextBindings({ requestId: value?.trim() }).requestId ?? randomUUID();
}

/** Builds the gateway (see the module comment). Nothing listens and nothing connects until used. */
export function createGatewayApp(deps: GatewayAppDeps): GatewayApp {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const health = createHealthRegistry();
  const metrics = createMetrics({
    prefix: "isara_",
    defaultLabels: { service: "gateway" },
    processMetrics: deps.processMetrics ?? false,
  });
  const gatewayMetrics = createGatewayMetrics(metrics);
  const controllerTimeoutMs = deps.controllerTimeoutMs ?? 10_000;
  const controller = createControllerCalls({
    client: deps.controller,
    timeoutMs: controllerTimeoutMs,
    metrics: gatewayMetrics,
  });
  const domains = new DomainStore(deps.artifacts);
  const streams: OpenStreams = new Set();

  health.register("process", () => true, { kind: "liveness" });
  health.register("controller", async () => {
    await controller.waitForReady(1500);
    return "connected";
  });
  health.register("artifact-store", deps.artifactsReady);

  const loggerInstance: FastifyBaseLogger = childLogger(deps.logger, { component: "http" });
  const server = Fastify({
    loggerInstance,
    bodyLimit,
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    genReqId: (req) => requestIdOf(req.headers["x-request-id"]),
    forceCloseConnections: "idle",
  });
  // The API speaks JSON only: a text body is refused with 415 instead of failing validation as a string.
  server.removeContentTypeParser("text/plain");
  // Bytes that are not UTF-8 are refused with their place, not decoded silently as U+FFFD.
  useStrictUtf8Json(server);
  server.setValidatorCompiler(createValidatorCompiler());
  server.setErrorHandler((err, request, reply) => {
    const answer = errorReply(err, bodyLimit, request.id);
    if (answer.status >= 500) request.log.error({ err }, "request failed");
    else request.log.info({ code: answer.body.error.code, status: answer.status }, "request refused");
    return reply.status(answer.status).send(answer.body);
  });
  server.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: "not_found",
        message: `no route ${request.method} ${request.url.split("?")[0]}; the API is described at GET /openapi.json`,
        requestId: request.id,
      },
    }),
  );
  server.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  server.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const labels = { method: request.method, route };
    gatewayMetrics.requests.inc({ ...labels, status: String(reply.statusCode) });
    if (!route.endsWith("/events")) gatewayMetrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
  server.addHook("preClose", async () => {
    health.startDraining("closing");
    for (const end of [...streams]) end("closing");
  });

  server.register(swagger, {
    openapi: OPENAPI_INFO,
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  server.register(async (root) => {
    registerProbeRoutes(root, { health, metrics, openapi: () => server.swagger() });
    root.register(
      async (v1) => {
        v1.decorateRequest("tenant", "");
        v1.addHook("onRequest", createAuthHook(deps.tokens));
        registerDomainRoutes(v1, domains);
        registerRunRoutes(v1, { controller, domains });
        registerRunDataRoutes(v1, { controller, artifacts: deps.artifacts });
        registerRunEvents(v1, {
          controller,
          heartbeatMs: deps.sseHeartbeatMs ?? 15_000,
          firstStatusTimeoutMs: controllerTimeoutMs,
          metrics: gatewayMetrics,
          streams,
        });
      },
      { prefix: "/v1" },
    );
  });
  return { server, health, metrics };
}
