/**
 * The ControllerService handlers (proto/isara/v1/controller.proto) over the reconciler: CreateRun
 * (spec and domain validated before anything is stored; idempotent by run id; admitted, queued or
 * refused by the tenant's limits), GetRun, ListRuns
 * (newest first, filtered by domain and lifecycle, keyset pages), CancelRun, RetryRun (a failed run
 * resumes from its last completed step) and WatchRun (the current
 * status, then one per change, until the run is final or the caller goes away).
 */
import type { handleServerStreamingCall, ServerWritableStream } from "@grpc/grpc-js";
import {
  type ControllerServiceServer,
  RunLifecycle,
  type RunStatus,
  type WatchRunRequest,
  type WatchRunResponse,
} from "@isara/contracts";
import { IsaraError, type Logger } from "@isara/kit";
import { statusName } from "@isara/kit/grpc";
import { callScope, grpcError, unaryCall } from "./grpc-call.js";
import { decodePageToken, encodePageToken, isAfter, pageSizeFor } from "./page-token.js";
import type { Reconciler } from "./reconciler.js";
import { checkSpec } from "./run-spec.js";
import { lifecycleToWire } from "./run-status.js";
import type { ControllerMetrics } from "./service-metrics.js";

/** What the handlers use. */
export interface ControllerServiceDeps {
  readonly reconciler: Reconciler;
  readonly logger: Logger;
  readonly metrics: ControllerMetrics;
}

/** The handlers, and the watch streams they hold open (ended on shutdown). */
export interface ControllerHandlers {
  readonly implementation: ControllerServiceServer;
  /** Ends every open WatchRun stream, so the server's graceful shutdown need not wait for them. */
  endWatches(): void;
}

function requireRunId(runId: string): string {
  if (runId === "")
    throw new IsaraError("invalid_argument", "run_id is empty; name the run (ListRuns shows them)");
  return runId;
}

const LIFECYCLES = new Set<RunLifecycle>([
  RunLifecycle.UNSPECIFIED,
  RunLifecycle.QUEUED,
  RunLifecycle.RUNNING,
  RunLifecycle.DONE,
  RunLifecycle.FAILED,
  RunLifecycle.CANCELLED,
]);

function isFinal(status: RunStatus): boolean {
  return status.lifecycle === RunLifecycle.DONE || status.lifecycle === RunLifecycle.CANCELLED;
}

/** Builds the ControllerService implementation. */
export function createControllerHandlers(deps: ControllerServiceDeps): ControllerHandlers {
  const { reconciler, logger, metrics } = deps;
  const watches = new Map<ServerWritableStream<WatchRunRequest, WatchRunResponse>, () => void>();
  const options = <Req>(runIdOf: (req: Req) => string) => ({ logger, metrics, runIdOf });

  const watchRun: handleServerStreamingCall<WatchRunRequest, WatchRunResponse> = (call) => {
    const scope = callScope(logger, call.metadata, call.request.runId);
    let unsubscribe = () => {};
    const finish = () => {
      unsubscribe();
      watches.delete(call);
    };
    try {
      const entry = reconciler.entry(requireRunId(call.request.runId));
      const first = reconciler.status(entry);
      call.write({ run: first });
      if (isFinal(first)) {
        metrics.calls.inc({ method: "WatchRun", code: "OK" });
        call.end();
        return;
      }
      watches.set(call, finish);
      unsubscribe = reconciler.watch(entry.state.runId, (status) => {
        call.write({ run: status });
        if (isFinal(status)) {
          finish();
          metrics.calls.inc({ method: "WatchRun", code: "OK" });
          call.end();
        }
      });
      call.on("cancelled", finish);
    } catch (err) {
      finish();
      const error = grpcError(err, "WatchRun", scope);
      metrics.calls.inc({ method: "WatchRun", code: statusName(error.code) });
      call.emit("error", error);
    }
  };

  const implementation: ControllerServiceServer = {
    createRun: unaryCall(
      "CreateRun",
      options((req) => req.spec?.runId ?? ""),
      async (req, scope) => {
        const spec = checkSpec(req.spec);
        const { run, created } = await reconciler.create(spec, scope.requestId);
        scope.log.info(
          { run: run.runId, created },
          created ? "run created" : "run exists with the same spec",
        );
        return { run };
      },
    ),
    getRun: unaryCall(
      "GetRun",
      options((req) => req.runId),
      async (req) => ({ run: reconciler.status(reconciler.entry(requireRunId(req.runId))) }),
    ),
    listRuns: unaryCall(
      "ListRuns",
      options(() => ""),
      async (req) => {
        if (!LIFECYCLES.has(req.lifecycle)) {
          throw new IsaraError("invalid_argument", `lifecycle ${req.lifecycle} is not a RunLifecycle value`);
        }
        const filter = { domain: req.domain, lifecycle: req.lifecycle };
        const after = decodePageToken(req.pageToken, filter);
        const size = pageSizeFor(req.pageSize);
        const matching = reconciler
          .list()
          .filter((e) => req.domain === "" || e.state.domain === req.domain)
          .filter(
            (e) =>
              req.lifecycle === RunLifecycle.UNSPECIFIED || lifecycleToWire(e.state.status) === req.lifecycle,
          )
          .filter(
            (e) =>
              after === undefined || isAfter({ createdAt: e.record.createdAt, runId: e.state.runId }, after),
          );
        const page = matching.slice(0, size);
        const last = page.at(-1);
        const nextPageToken =
          matching.length > size && last !== undefined
            ? encodePageToken(filter, { createdAt: last.record.createdAt, runId: last.state.runId })
            : "";
        return { runs: page.map((e) => reconciler.status(e)), nextPageToken };
      },
    ),
    cancelRun: unaryCall(
      "CancelRun",
      options((req) => req.runId),
      async (req, scope) => ({
        run: await reconciler.cancel(requireRunId(req.runId), req.reason, scope.requestId),
      }),
    ),
    retryRun: unaryCall(
      "RetryRun",
      options((req) => req.runId),
      async (req, scope) => ({
        run: await reconciler.retry(requireRunId(req.runId), req.reason, scope.requestId),
      }),
    ),
    watchRun,
  };

  return {
    implementation,
    endWatches() {
      for (const [call, finish] of [...watches]) {
        finish();
        call.end();
      }
    },
  };
}
