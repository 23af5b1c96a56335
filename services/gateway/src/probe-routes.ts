/**
 * The unauthenticated routes: Kubernetes probes, Prometheus scraping and the OpenAPI document. They
 * sit outside `/v1` so probes and scrapers need no token, and they say nothing about any tenant.
 */
import type { HealthRegistry, Metrics } from "@isara/kit";
import type { FastifyInstance } from "fastify";

const checkSchema = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ok", "fail"] },
    detail: { type: "string" },
    durationMs: { type: "integer" },
  },
} as const;

const healthReportSchema = {
  type: "object",
  required: ["status", "checks"],
  properties: {
    status: { type: "string", enum: ["ok", "fail"] },
    checks: { type: "object", additionalProperties: checkSchema },
  },
} as const;

const healthResponses = (ok: string, fail: string) => ({
  200: { description: ok, ...healthReportSchema },
  503: { description: fail, ...healthReportSchema },
});

/** Registers `/healthz`, `/readyz`, `/metrics` and `/openapi.json`. */
export function registerProbeRoutes(
  app: FastifyInstance,
  deps: { health: HealthRegistry; metrics: Metrics; openapi: () => unknown },
): void {
  const { health, metrics } = deps;
  const tags = ["operations"];

  app.get(
    "/healthz",
    {
      schema: {
        summary: "Liveness: is the process working at all?",
        tags,
        response: healthResponses("Alive.", "Broken for good; restart the pod."),
      },
    },
    async (_request, reply) => {
      const report = await health.liveness();
      return reply.code(report.status === "ok" ? 200 : 503).send(report);
    },
  );

  app.get(
    "/readyz",
    {
      schema: {
        summary: "Readiness: can this instance take traffic (controller reachable, artifact store readable)?",
        tags,
        response: healthResponses("Ready.", "Starting, draining, or a dependency is down."),
      },
    },
    async (_request, reply) => {
      const report = await health.readiness();
      return reply.code(report.status === "ok" ? 200 : 503).send(report);
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        summary: "Prometheus metrics",
        tags,
        response: {
          200: {
            description: "The Prometheus text format.",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );

  app.get(
    "/openapi.json",
    {
      schema: {
        summary: "This API's OpenAPI 3 document",
        tags,
        response: {
          200: { description: "The OpenAPI document.", type: "object", additionalProperties: true },
        },
      },
    },
    async () => deps.openapi(),
  );
}
