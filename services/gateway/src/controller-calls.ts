/**
 * The gateway's calls to the controller: the generated ControllerService client behind promises, with
 * a deadline on every unary call, the request's log context (request id, run, domain, plus the tenant)
 * in gRPC metadata so the controller logs under the same ids, failures as `IsaraError`s, and one
 * metric per call.
 */
import { type CallOptions, type ClientReadableStream, Metadata, type ServiceError } from "@grpc/grpc-js";
import type {
  CancelRunResponse,
  ControllerServiceClient,
  CreateRunResponse,
  GetRunResponse,
  ListRunsRequest,
  ListRunsResponse,
  RetryRunResponse,
  RunSpec,
  RunStatus,
  WatchRunResponse,
} from "@isara/contracts";
import { contextToGrpcMetadata, IsaraError } from "@isara/kit";
import { controllerError } from "./grpc-errors.js";
import type { GatewayMetrics } from "./service-metrics.js";

/** gRPC metadata key of the tenant a call is made for (next to the kit's context keys). */
export const TENANT_METADATA = "x-isara-tenant";

/** Who a call is made for, for the controller's logs. */
export interface CallContext {
  readonly requestId: string;
  readonly tenant: string;
  /** Controller run id (tenant-scoped), when the call is about one run. */
  readonly run?: string;
  readonly domain?: string;
}

/** The controller, as the gateway uses it. */
export interface ControllerCalls {
  createRun(spec: RunSpec, ctx: CallContext): Promise<RunStatus>;
  getRun(runId: string, ctx: CallContext): Promise<RunStatus>;
  listRuns(request: ListRunsRequest, ctx: CallContext): Promise<ListRunsResponse>;
  cancelRun(runId: string, reason: string, ctx: CallContext): Promise<RunStatus>;
  retryRun(runId: string, reason: string, ctx: CallContext): Promise<RunStatus>;
  /** The raw status stream; map its `error` events with `controllerError("WatchRun", err)`. */
  watchRun(runId: string, ctx: CallContext): ClientReadableStream<WatchRunResponse>;
  /** Resolves once the channel to the controller is connected, rejects after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void>;
}

/** The gRPC metadata of a call made for `ctx`. */
export function callMetadata(ctx: CallContext): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(contextToGrpcMetadata(ctx))) metadata.set(key, value);
  metadata.set(TENANT_METADATA, ctx.tenant);
  return metadata;
}

type Callback<Res> = (err: ServiceError | null, res: Res) => void;

/** Wraps `client` (see the module comment); `timeoutMs` is the deadline of each unary call. */
export function createControllerCalls(options: {
  readonly client: ControllerServiceClient;
  readonly timeoutMs: number;
  readonly metrics: GatewayMetrics;
}): ControllerCalls {
  const { client, timeoutMs, metrics } = options;

  function unary<Res>(
    method: string,
    ctx: CallContext,
    start: (metadata: Metadata, callOptions: Partial<CallOptions>, callback: Callback<Res>) => void,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      start(callMetadata(ctx), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err === null) {
          metrics.controllerCalls.inc({ method, code: "ok" });
          resolve(res);
          return;
        }
        const mapped = controllerError(method, err);
        metrics.controllerCalls.inc({ method, code: mapped.code });
        reject(mapped);
      });
    });
  }

  function statusOf(method: string, run: RunStatus | undefined): RunStatus {
    if (run === undefined) throw new IsaraError("internal", `controller ${method} answered without a run`);
    return run;
  }

  return {
    async createRun(spec, ctx) {
      const res = await unary<CreateRunResponse>("CreateRun", ctx, (md, o, cb) =>
        client.createRun({ spec }, md, o, cb),
      );
      return statusOf("CreateRun", res.run);
    },
    async getRun(runId, ctx) {
      const res = await unary<GetRunResponse>("GetRun", ctx, (md, o, cb) =>
        client.getRun({ runId }, md, o, cb),
      );
      return statusOf("GetRun", res.run);
    },
    listRuns(request, ctx) {
      return unary<ListRunsResponse>("ListRuns", ctx, (md, o, cb) => client.listRuns(request, md, o, cb));
    },
    async cancelRun(runId, reason, ctx) {
      const res = await unary<CancelRunResponse>("CancelRun", ctx, (md, o, cb) =>
        client.cancelRun({ runId, reason }, md, o, cb),
      );
      return statusOf("CancelRun", res.run);
    },
    async retryRun(runId, reason, ctx) {
      const res = await unary<RetryRunResponse>("RetryRun", ctx, (md, o, cb) =>
        client.retryRun({ runId, reason }, md, o, cb),
      );
      return statusOf("RetryRun", res.run);
    },
    watchRun(runId, ctx) {
      const stream = client.watchRun({ runId }, callMetadata(ctx));
      const method = "WatchRun";
      stream.once("end", () => metrics.controllerCalls.inc({ method, code: "ok" }));
      stream.once("error", (err) =>
        metrics.controllerCalls.inc({ method, code: controllerError(method, err).code }),
      );
      return stream;
    },
    waitForReady(waitMs) {
      return new Promise((resolve, reject) =>
        client.waitForReady(Date.now() + waitMs, (err) =>
          err ? reject(new Error(`the controller is not reachable: ${err.message}`)) : resolve(),
        ),
      );
    },
  };
}
