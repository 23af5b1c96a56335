/**
 * TEST DOUBLE of the controller for the gateway's tests: a real gRPC server on loopback implementing
 * ControllerService (isara.v1) in memory, so the gateway is tested over the real generated client,
 * HTTP/2, metadata, deadlines and status codes. It stands in for services/controller, which drives
 * runs through Kafka and is tested on its own. It behaves as controller.proto promises (CreateRun is
 * idempotent by run id and snapshots the domain folder into the run's folder, unknown runs are
 * NOT_FOUND, ListRuns pages newest first, WatchRun streams until the run is final, and with
 * `tenantLimits` set a tenant's run over its running limit is QUEUED with its place, one over its
 * queue RESOURCE_EXHAUSTED) and records every call with its metadata, so tests can check what the
 * gateway sent, or that it sent nothing.
 */
import {
  type handleServerStreamingCall,
  type handleUnaryCall,
  Server,
  ServerCredentials,
  type ServerWritableStream,
} from "@grpc/grpc-js";
import {
  type CancelRunRequest,
  type CancelRunResponse,
  ControllerServiceService,
  type CreateRunRequest,
  type CreateRunResponse,
  type GetRunRequest,
  type GetRunResponse,
  type ListRunsRequest,
  type ListRunsResponse,
  Phase,
  type RetryRunRequest,
  type RetryRunResponse,
  RoundRecord,
  RunLifecycle,
  RunMode,
  RunSpec,
  type RunStatus,
  runArtifacts,
  type WatchRunRequest,
  type WatchRunResponse,
} from "@isara/contracts";
import type { ArtifactStore, ErrorCode } from "@isara/core";
import { grpcStatusFor } from "@isara/kit";

/** One call the double received. */
export interface RecordedCall {
  readonly method: "CreateRun" | "GetRun" | "ListRuns" | "CancelRun" | "RetryRun" | "WatchRun";
  readonly request: unknown;
  /** Metadata as text, keys lowercase. */
  readonly metadata: Readonly<Record<string, string>>;
}

const RUN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const FINAL = new Set([RunLifecycle.DONE, RunLifecycle.CANCELLED]);

class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The in-memory controller (see the module comment). */
export class ControllerTestDouble {
  readonly calls: RecordedCall[] = [];
  private readonly runs = new Map<string, { spec: RunSpec; status: RunStatus }>();
  private readonly watchers = new Map<string, Set<ServerWritableStream<WatchRunRequest, WatchRunResponse>>>();
  private readonly watchedWaiters = new Map<string, (() => void)[]>();
  private readonly server = new Server();
  address = "";
  /** Per-tenant admission as the controller's (TENANT_MAX_RUNNING, TENANT_MAX_QUEUED); unset = none. */
  tenantLimits: { readonly maxRunningRuns: number; readonly maxQueuedRuns: number } | undefined;

  constructor(private readonly artifacts: ArtifactStore) {}

  /** Starts serving on a free loopback port; `address` is set once this resolves. */
  async start(): Promise<string> {
    this.server.addService(ControllerServiceService, {
      createRun: this.unary("CreateRun", (r: CreateRunRequest) => this.createRun(r)),
      getRun: this.unary(
        "GetRun",
        async (r: GetRunRequest): Promise<GetRunResponse> => ({ run: this.find(r.runId).status }),
      ),
      listRuns: this.unary("ListRuns", async (r: ListRunsRequest) => this.listRuns(r)),
      cancelRun: this.unary("CancelRun", async (r: CancelRunRequest) => this.cancelRun(r)),
      retryRun: this.unary("RetryRun", async (r: RetryRunRequest) => this.retryRun(r)),
      watchRun: this.watchRun,
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    this.address = `127.0.0.1:${port}`;
    return this.address;
  }

  /** Stops at once, ending every open stream (the controller going away). */
  close(): void {
    this.server.forceShutdown();
  }

  /** Calls received, optionally of one method. */
  callsOf(method?: RecordedCall["method"]): RecordedCall[] {
    return method === undefined ? [...this.calls] : this.calls.filter((c) => c.method === method);
  }

  /** The stored status of a run (undefined when unknown). */
  status(runId: string): RunStatus | undefined {
    return this.runs.get(runId)?.status;
  }

  /** Changes a run's status as the real controller would while the run advances, and tells watchers. */
  update(runId: string, patch: Partial<RunStatus>): RunStatus {
    const run = this.find(runId);
    run.status = { ...run.status, ...patch };
    for (const call of this.watchers.get(runId) ?? []) {
      call.write({ run: run.status });
      if (FINAL.has(run.status.lifecycle)) call.end();
    }
    return run.status;
  }

  /** Resolves once a WatchRun of `runId` is open. */
  watched(runId: string): Promise<void> {
    if ((this.watchers.get(runId)?.size ?? 0) > 0) return Promise.resolve();
    return new Promise((resolve) =>
      this.watchedWaiters.set(runId, [...(this.watchedWaiters.get(runId) ?? []), resolve]),
    );
  }

  /** Open WatchRun streams of `runId`. */
  watcherCount(runId: string): number {
    return this.watchers.get(runId)?.size ?? 0;
  }

  private unary<Req, Res>(
    method: RecordedCall["method"],
    handle: (request: Req) => Promise<Res>,
  ): handleUnaryCall<Req, Res> {
    return (call, callback) => {
      this.record(method, call.request, call.metadata.getMap());
      handle(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => {
          const refusal = err instanceof Refusal ? err : new Refusal("internal", String(err));
          callback({ code: grpcStatusFor(refusal.code), details: refusal.message });
        },
      );
    };
  }

  private record(method: RecordedCall["method"], request: unknown, map: Record<string, unknown>): void {
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(map)) metadata[key] = String(value);
    this.calls.push({ method, request, metadata });
  }

  private find(runId: string) {
    const run = this.runs.get(runId);
    if (run === undefined) throw new Refusal("not_found", `run ${runId} not found`);
    return run;
  }

  private async createRun(request: CreateRunRequest): Promise<CreateRunResponse> {
    const spec = RunSpec.fromPartial(request.spec ?? {});
    if (!RUN_ID.test(spec.runId)) throw new Refusal("invalid_argument", `run_id ${spec.runId} is malformed`);
    if (spec.mode === RunMode.UNSPECIFIED) throw new Refusal("invalid_argument", "set RunSpec.mode");
    const existing = this.runs.get(spec.runId);
    if (existing !== undefined) {
      const same = JSON.stringify(RunSpec.toJSON(existing.spec)) === JSON.stringify(RunSpec.toJSON(spec));
      if (!same) throw new Refusal("conflict", `run ${spec.runId} exists with another spec`);
      return { run: existing.status };
    }
    const source = spec.domain?.source ?? "";
    const keys = runArtifacts(spec.runId);
    const snapshot: [string, string][] = [
      [`${source}/domain.json`, keys.domainConfig],
      [`${source}/seeds.jsonl`, keys.domainSeeds],
      [`${source}/eval.jsonl`, keys.domainEval],
    ];
    for (const [from, to] of snapshot) {
      const bytes = await this.artifacts.read(from);
      if (bytes === undefined) throw new Refusal("not_found", `domain source ${source} has no ${from}`);
      await this.artifacts.write(to, bytes);
    }
    const tenant = spec.tenant ?? "";
    const ofTenant = [...this.runs.values()].filter((r) => (r.spec.tenant ?? "") === tenant);
    const running = ofTenant.filter((r) => r.status.lifecycle === RunLifecycle.RUNNING).length;
    const queued = ofTenant.filter((r) => r.status.lifecycle === RunLifecycle.QUEUED).length;
    const limits = this.tenantLimits;
    const waits = limits !== undefined && (running >= limits.maxRunningRuns || queued > 0);
    if (limits !== undefined && waits && queued >= limits.maxQueuedRuns) {
      throw new Refusal(
        "resource_exhausted",
        `tenant "${tenant}" has ${running} run(s) running and ${queued} waiting, its limit of ${limits.maxQueuedRuns} waiting run(s) (maxQueuedRuns; TENANT_MAX_QUEUED=${limits.maxQueuedRuns}); the run was not created`,
      );
    }
    const status: RunStatus = {
      runId: spec.runId,
      domain: spec.domain?.name ?? "",
      mode: spec.mode,
      lifecycle: waits ? RunLifecycle.QUEUED : RunLifecycle.RUNNING,
      ...(waits ? { queuePosition: queued + 1 } : {}),
      round: 0,
      phase: Phase.EVALUATE,
      plannedRounds: spec.overrides?.rounds ?? 3,
      progress: { done: 0, total: 0 },
      rounds: [RoundRecord.fromPartial({ round: 0 })],
      stopReason: undefined,
      error: undefined,
    };
    this.runs.set(spec.runId, { spec, status });
    return { run: status };
  }

  private listRuns(request: ListRunsRequest): ListRunsResponse {
    const all = [...this.runs.values()]
      .map((r) => r.status)
      .reverse()
      .filter((s) => request.domain === "" || s.domain === request.domain)
      .filter((s) => request.lifecycle === RunLifecycle.UNSPECIFIED || s.lifecycle === request.lifecycle);
    const start = request.pageToken === "" ? 0 : Number(request.pageToken);
    const size = request.pageSize === 0 ? 50 : request.pageSize;
    const runs = all.slice(start, start + size);
    return { runs, nextPageToken: start + size < all.length ? String(start + size) : "" };
  }

  private cancelRun(request: CancelRunRequest): CancelRunResponse {
    const run = this.find(request.runId);
    if (run.status.lifecycle === RunLifecycle.DONE) {
      throw new Refusal(
        "failed_precondition",
        `run ${request.runId} is done; a finished run cannot be cancelled`,
      );
    }
    return { run: this.update(request.runId, { lifecycle: RunLifecycle.CANCELLED, progress: undefined }) };
  }

  /** As the controller: a failed run runs again, a running one is unchanged, a final one is refused. */
  private retryRun(request: RetryRunRequest): RetryRunResponse {
    const run = this.find(request.runId);
    if (FINAL.has(run.status.lifecycle)) {
      throw new Refusal(
        "failed_precondition",
        `run ${request.runId} is ${RunLifecycle[run.status.lifecycle].toLowerCase()}; only a failed run can be retried`,
      );
    }
    return { run: this.update(request.runId, { lifecycle: RunLifecycle.RUNNING, error: undefined }) };
  }

  private readonly watchRun: handleServerStreamingCall<WatchRunRequest, WatchRunResponse> = (call) => {
    this.record("WatchRun", call.request, call.metadata.getMap());
    const run = this.runs.get(call.request.runId);
    if (run === undefined) {
      call.emit("error", {
        code: grpcStatusFor("not_found"),
        details: `run ${call.request.runId} not found`,
      });
      return;
    }
    call.write({ run: run.status });
    if (FINAL.has(run.status.lifecycle)) {
      call.end();
      return;
    }
    const set = this.watchers.get(call.request.runId) ?? new Set();
    set.add(call);
    this.watchers.set(call.request.runId, set);
    const forget = () => set.delete(call);
    call.on("cancelled", forget);
    call.on("finish", forget);
    call.on("close", forget);
    for (const resolve of this.watchedWaiters.get(call.request.runId) ?? []) resolve();
    this.watchedWaiters.delete(call.request.runId);
  };
}
