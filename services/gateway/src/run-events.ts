/**
 * `GET /v1/runs/:id/events`: a run's status changes as Server-Sent Events, relayed from the
 * controller's WatchRun stream. The first status is awaited before anything is sent, so an unknown
 * run (or another tenant's) still gets a plain JSON 404; from then on the answer is a stream:
 *
 * ```
 * event: status        data: the run as GET /v1/runs/:id shows it (one per change)
 * event: end           data: {"state": "done"}            the run is final; the stream closes
 * event: error         data: the usual error body         the controller failed mid-stream
 * event: shutdown      data: {"message": ...}             the gateway is stopping; reconnect
 * : keep-alive         a comment every heartbeat, so proxies keep an idle stream open
 * ```
 *
 * A client that goes away cancels the WatchRun call, so no controller stream outlives its reader.
 */
import type { ClientReadableStream } from "@grpc/grpc-js";
import type { WatchRunResponse } from "@isara/contracts";
import { IsaraError } from "@isara/core";
import { toErrorBody } from "@isara/kit";
import type { FastifyInstance } from "fastify";
import { bearerSecurity, errorResponses } from "./common-schemas.js";
import type { ControllerCalls } from "./controller-calls.js";
import { controllerError } from "./grpc-errors.js";
import { ownRun, runNotFound } from "./request-scope.js";
import { runParamsSchema } from "./run-schemas.js";
import { runView } from "./run-view.js";
import type { GatewayMetrics } from "./service-metrics.js";

/** Open event streams, so shutdown can end them (they would otherwise hold the server open). */
export type OpenStreams = Set<(reason: string) => void>;

/** One SSE frame. */
function frame(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Registers the events route on the `/v1` scope. */
export function registerRunEvents(
  v1: FastifyInstance,
  deps: {
    readonly controller: ControllerCalls;
    readonly heartbeatMs: number;
    /** How long the controller may take to send a run's first status (the deadline of unary calls). */
    readonly firstStatusTimeoutMs: number;
    readonly metrics: GatewayMetrics;
    readonly streams: OpenStreams;
  },
): void {
  const { controller, heartbeatMs, firstStatusTimeoutMs, metrics, streams } = deps;
  v1.get(
    "/runs/:id/events",
    {
      schema: {
        summary: "Watch a run: its status changes as Server-Sent Events",
        description:
          "Events: `status` (the run, as GET /v1/runs/:id shows it) on every change, `end` once the run is final, `error` if the controller fails mid-stream, `shutdown` when the gateway stops (reconnect).",
        tags: ["runs"],
        security: bearerSecurity,
        params: runParamsSchema,
        response: {
          200: {
            description: "A text/event-stream of the run's status changes.",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errorResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const run = ownRun(request, (request.params as { id: string }).id);
      const stream: ClientReadableStream<WatchRunResponse> = controller.watchRun(run.scoped, run.ctx);
      const updates: AsyncIterator<WatchRunResponse> = stream[Symbol.asyncIterator]();
      let first: IteratorResult<WatchRunResponse>;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          stream.cancel();
          reject(
            new IsaraError(
              "deadline_exceeded",
              "the controller did not answer WatchRun in time; retry later",
            ),
          );
        }, firstStatusTimeoutMs);
      });
      try {
        first = await Promise.race([updates.next(), deadline]);
      } catch (err) {
        const mapped = controllerError("WatchRun", err);
        throw mapped.code === "not_found" ? runNotFound(run.id) : mapped;
      } finally {
        clearTimeout(timer);
      }
      if (first.done || first.value.run === undefined) {
        stream.cancel();
        throw new IsaraError("internal", "the controller's WatchRun sent no status");
      }

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": request.id,
      });
      let closed = false;
      let sequence = 0;
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), heartbeatMs);
      heartbeat.unref();
      const finish = (last?: string) => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        streams.delete(shutdown);
        metrics.streams.dec();
        if (last !== undefined) res.end(last);
        else res.end();
        stream.cancel();
      };
      const shutdown = (reason: string) =>
        finish(
          frame("shutdown", { message: `the gateway is stopping (${reason}); reconnect to go on watching` }),
        );
      streams.add(shutdown);
      metrics.streams.inc();
      res.on("close", () => finish());
      request.log.info("event stream opened");

      let state = runView(first.value.run, run.id).state;
      res.write(frame("status", runView(first.value.run, run.id), sequence++));
      try {
        for (let next = await updates.next(); !next.done; next = await updates.next()) {
          if (next.value.run === undefined || closed) continue;
          const view = runView(next.value.run, run.id);
          state = view.state;
          res.write(frame("status", view, sequence++));
        }
        finish(frame("end", { state }));
      } catch (err) {
        if (!closed) {
          const mapped = controllerError("WatchRun", err);
          request.log.warn({ err: mapped }, "run event stream failed");
          finish(frame("error", toErrorBody(mapped, request.id)));
        }
      }
      request.log.info({ events: sequence }, "event stream closed");
    },
  );
}
