/**
 * `/v1/runs`: start, list, read, cancel and retry a tenant's runs through the controller. A run is started
 * from one of the tenant's stored domains: the controller gets the domain's artifact folder
 * (`DomainRef.source`) and snapshots it, so later domain changes cannot alter a running run.
 */
import { type ListRunsRequest, RunLifecycle, runModeToWire } from "@isara/contracts";
import { DEFAULT_RUN_MODE, IsaraError, type RunMode, type RunOverrides, type RunStatus } from "@isara/core";
import type { FastifyInstance } from "fastify";
import { bearerSecurity, errorResponses } from "./common-schemas.js";
import type { ControllerCalls } from "./controller-calls.js";
import { decodeCursor, encodeCursor, isIndex } from "./cursor.js";
import type { DomainStore } from "./domain-store.js";
import { aboutRun, getOwnRun, ownRun, scopeRequest } from "./request-scope.js";
import {
  createRunBodySchema,
  listRunsQuerySchema,
  runListSchema,
  runParamsSchema,
  runReasonBodySchema,
  runViewSchema,
} from "./run-schemas.js";
import { lifecycleOf, type RunView, runView } from "./run-view.js";
import { localRunId, newRunId } from "./tenant-scope.js";

/** `POST /v1/runs` body, as its schema admits it. */
interface CreateRunBody {
  readonly domain: string;
  readonly mode?: RunMode;
  readonly runId?: string;
  readonly overrides?: Readonly<RunOverrides>;
}

/** `GET /v1/runs` query. */
interface ListRunsQuery {
  readonly domain?: string;
  readonly state?: RunStatus;
  readonly limit?: number;
  readonly cursor?: string;
}

/** Runs asked of the controller per page while filtering a tenant's runs out of all runs. */
const CONTROLLER_PAGE = 200;
/** Controller pages scanned per request at most; past that the answer ends early with a cursor. */
const MAX_PAGES_PER_REQUEST = 50;

/** Registers the run routes on the `/v1` scope. */
export function registerRunRoutes(
  v1: FastifyInstance,
  deps: { controller: ControllerCalls; domains: DomainStore },
) {
  const { controller, domains } = deps;
  const tags = ["runs"];

  v1.post(
    "/runs",
    {
      schema: {
        summary: "Start a run on one of your domains",
        description:
          "Starts ISARA (or a baseline) on a stored domain. With a runId, the same request again returns the same run; the same runId with another request is refused with 409. " +
          "While your tenant runs as many runs as it may, the run is created queued (state queued, queuePosition) and starts when one of yours ends; with your queue full too it is refused with 429.",
        tags,
        security: bearerSecurity,
        body: createRunBodySchema,
        response: {
          201: { description: "The run, right after creation.", ...runViewSchema },
          ...errorResponses(400, 404, 409, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as CreateRunBody;
      const run = ownRun(request, body.runId ?? newRunId());
      const ctx = scopeRequest(request, { domain: body.domain });
      if ((await domains.load(request.tenant, body.domain)) === undefined) {
        throw new IsaraError(
          "not_found",
          `domain "${body.domain}" not found; create it first with POST /v1/domains, or list yours with GET /v1/domains`,
        );
      }
      const status = await controller.createRun(
        {
          runId: run.scoped,
          domain: { name: body.domain, source: domains.folder(request.tenant, body.domain) },
          mode: runModeToWire(body.mode ?? DEFAULT_RUN_MODE),
          overrides: { ...body.overrides },
          tenant: request.tenant,
        },
        { ...run.ctx, domain: ctx.domain },
      );
      request.log.info({ mode: body.mode ?? DEFAULT_RUN_MODE }, "run created");
      return reply.code(201).send(runView(status, run.id));
    },
  );

  v1.get(
    "/runs",
    {
      schema: {
        summary: "List your runs, newest first",
        tags,
        security: bearerSecurity,
        querystring: listRunsQuerySchema,
        response: {
          200: { description: "One page of your runs.", ...runListSchema },
          ...errorResponses(400),
        },
      },
    },
    async (request) => {
      const query = request.query as ListRunsQuery;
      const ctx = scopeRequest(request, { domain: query.domain });
      const limit = query.limit ?? 50;
      let { token, skip } =
        query.cursor === undefined
          ? { token: "", skip: 0 }
          : decodeCursor(query.cursor, (c) =>
              typeof c.t === "string" && isIndex(c.s) ? { token: c.t, skip: c.s } : undefined,
            );
      const runs: RunView[] = [];
      const listRequest = (pageToken: string): ListRunsRequest => ({
        domain: query.domain ?? "",
        lifecycle: query.state === undefined ? RunLifecycle.UNSPECIFIED : lifecycleOf(query.state),
        pageSize: CONTROLLER_PAGE,
        pageToken,
      });
      for (let pages = 0; pages < MAX_PAGES_PER_REQUEST; pages++) {
        const page = await controller.listRuns(listRequest(token), ctx);
        const mine = page.runs.flatMap((status) => {
          const id = localRunId(request.tenant, status.runId);
          return id === undefined ? [] : [runView(status, id)];
        });
        const available = mine.slice(skip);
        const room = limit - runs.length;
        runs.push(...available.slice(0, room));
        if (available.length > room) return { runs, nextCursor: encodeCursor({ t: token, s: skip + room }) };
        if (page.nextPageToken === "") return { runs, nextCursor: null };
        token = page.nextPageToken;
        skip = 0;
        if (runs.length === limit) break;
      }
      return { runs, nextCursor: encodeCursor({ t: token, s: 0 }) };
    },
  );

  v1.get(
    "/runs/:id",
    {
      schema: {
        summary: "Read one run's status",
        tags,
        security: bearerSecurity,
        params: runParamsSchema,
        response: {
          200: { description: "The run's current status.", ...runViewSchema },
          ...errorResponses(400, 404),
        },
      },
    },
    async (request) => {
      const run = ownRun(request, (request.params as { id: string }).id);
      return runView(await getOwnRun(controller, run), run.id);
    },
  );

  /**
   * A POST on one run that changes its lifecycle (cancel, retry): the body `{reason}` is optional (no
   * body and no Content-Type means no reason, and `fallback` is logged), the controller decides.
   */
  function runAction(
    action: "cancel" | "retry",
    doc: { readonly summary: string; readonly description: string; readonly result: string },
    fallback: string,
    call: ControllerCalls["cancelRun"],
  ) {
    v1.post(
      `/runs/:id/${action}`,
      {
        schema: {
          summary: doc.summary,
          description: doc.description,
          tags,
          security: bearerSecurity,
          params: runParamsSchema,
          body: runReasonBodySchema,
          response: {
            200: { description: doc.result, ...runViewSchema },
            ...errorResponses(400, 404, 409),
          },
        },
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const run = ownRun(request, (request.params as { id: string }).id);
        const reason = (request.body as { reason?: string }).reason || fallback;
        const status = await aboutRun(run, () => call(run.scoped, reason, run.ctx));
        request.log.info({ reason }, `run ${action === "cancel" ? "cancelled" : "retried"}`);
        return runView(status, run.id);
      },
    );
  }

  runAction(
    "cancel",
    {
      summary: "Cancel a run",
      description:
        "Cancels a queued, running or failed run (a queued run leaves the queue); cancelling a cancelled run returns it unchanged.",
      result: "The run, now cancelled.",
    },
    "cancelled through the gateway",
    (runId, reason, ctx) => controller.cancelRun(runId, reason, ctx),
  );
  runAction(
    "retry",
    {
      summary: "Retry a failed run",
      description:
        "Resumes a failed run from its last completed step: the failed step's missing work goes out again; " +
        "nothing completed is redone. Retrying a running run returns it unchanged; a done or cancelled run " +
        "answers 409 (start a new run instead).",
      result: "The run, running again.",
    },
    "retried through the gateway",
    (runId, reason, ctx) => controller.retryRun(runId, reason, ctx),
  );
}
