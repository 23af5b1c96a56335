/**
 * The edge of every ControllerService call: the request id (the caller's `x-request-id`, else a new
 * one) and a logger bound to it and to the run, one log line per refused or failed call, a metric per
 * call, and errors as gRPC statuses (core's error codes through `grpcCallError` of `@isara/kit/grpc`). Handlers
 * are plain async functions that return a response or throw; they never see grpc-js callbacks.
 */
import { randomUUID } from "node:crypto";
import type { handleUnaryCall, Metadata } from "@grpc/grpc-js";
import { childLogger, contextFromGrpcMetadata, type Logger } from "@isara/kit";
import { type GrpcCallError, grpcCallError, statusName } from "@isara/kit/grpc";
import type { ControllerMetrics } from "./service-metrics.js";

/** What a handler gets besides the request. */
export interface CallScope {
  /** The caller's request id, or a new one: it becomes the correlation id of what the call starts. */
  readonly requestId: string;
  /** Logger bound to the call's component, request id and run. */
  readonly log: Logger;
}

/** The request id and log scope of a call about `runId` (when the request names one). */
export function callScope(logger: Logger, metadata: Metadata, runId: string | undefined): CallScope {
  const meta = contextFromGrpcMetadata(metadata.getMap());
  const requestId = meta.requestId ?? randomUUID();
  const run = runId === undefined || runId === "" ? meta.run : runId;
  return { requestId, log: childLogger(logger, { component: "grpc", requestId, run }) };
}

/**
 * The gRPC error of a thrown value in `scope`, logged: refusals at warn, internal failures at error
 * with the cause (the shared `grpcCallError`, bound to the call's logger and request id).
 */
export function grpcError(err: unknown, method: string, scope: CallScope): GrpcCallError {
  return grpcCallError(err, method, scope.log, scope.requestId);
}

/**
 * A grpc-js unary handler around `handle`: a thrown IsaraError becomes the gRPC status of its code
 * with its message as details (INVALID_ARGUMENT listing a domain's problems, NOT_FOUND for an
 * unknown run, ALREADY_EXISTS for a run id taken by another spec); `internal` errors are logged with
 * the cause and answered with a fixed message and the request id, since they may hold paths.
 */
export function unaryCall<Req, Res>(
  method: string,
  options: {
    readonly logger: Logger;
    readonly metrics: ControllerMetrics;
    readonly runIdOf: (req: Req) => string;
  },
  handle: (request: Req, scope: CallScope) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const scope = callScope(options.logger, call.metadata, options.runIdOf(call.request));
    handle(call.request, scope).then(
      (response) => {
        options.metrics.calls.inc({ method, code: "OK" });
        callback(null, response);
      },
      (err: unknown) => {
        const error = grpcError(err, method, scope);
        options.metrics.calls.inc({ method, code: statusName(error.code) });
        callback(error);
      },
    );
  };
}
