/**
 * `/v1/runs/:id/samples` and `/v1/runs/:id/metrics`: what a run produced. The controller is asked
 * first (the run must be the tenant's, and its status says which rounds exist); samples then come
 * from the run's folder on the shared artifact store, metrics from the run's round records.
 */
import type { ArtifactStore } from "@isara/core";
import type { FastifyInstance } from "fastify";
import { bearerSecurity, errorResponses } from "./common-schemas.js";
import type { ControllerCalls } from "./controller-calls.js";
import { getOwnRun, ownRun } from "./request-scope.js";
import { runMetricsSchema, runParamsSchema, samplePageSchema, samplesQuerySchema } from "./run-schemas.js";
import { runMetricsView, runView } from "./run-view.js";
import { readSamplePage } from "./sample-pages.js";

/** Samples per page when the query gives no `limit`. */
const DEFAULT_SAMPLE_LIMIT = 100;

/** Registers the samples and metrics routes on the `/v1` scope. */
export function registerRunDataRoutes(
  v1: FastifyInstance,
  deps: { controller: ControllerCalls; artifacts: ArtifactStore },
): void {
  const { controller, artifacts } = deps;
  const tags = ["runs"];

  v1.get(
    "/runs/:id/samples",
    {
      schema: {
        summary: "A run's samples with their lineage",
        description:
          "Round 0 is the seed set; each later round lists its accepted samples, then its rejected ones, in slot order, each with the demos it was written from and every filter verdict with its reason.",
        tags,
        security: bearerSecurity,
        params: runParamsSchema,
        querystring: samplesQuerySchema,
        response: {
          200: { description: "One page of samples.", ...samplePageSchema },
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const run = ownRun(request, (request.params as { id: string }).id);
      const query = request.query as { round?: number; accepted?: boolean; cursor?: string; limit?: number };
      const status = await getOwnRun(controller, run);
      return readSamplePage(
        artifacts,
        { run: run.scoped, domain: status.domain, lastRound: status.round },
        { ...query, limit: query.limit ?? DEFAULT_SAMPLE_LIMIT },
      );
    },
  );

  v1.get(
    "/runs/:id/metrics",
    {
      schema: {
        summary: "A run's evaluation metrics per round",
        tags,
        security: bearerSecurity,
        params: runParamsSchema,
        response: {
          200: { description: "Metrics of the baseline and every round so far.", ...runMetricsSchema },
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const run = ownRun(request, (request.params as { id: string }).id);
      return runMetricsView(runView(await getOwnRun(controller, run), run.id));
    },
  );
}
