/**
 * The edge of every RetrievalService call: who the call is for (log context from gRPC metadata and
 * the request's RunContext), what happened (one log line per failed call, metrics for every call), and
 * errors as gRPC statuses (core's error codes through `grpcCallError` of `@isara/kit/grpc`). Handlers are plain
 * async functions that return a response or throw; they never see grpc-js callbacks.
 */
import { status as grpcStatus, type handleUnaryCall, type Metadata } from "@grpc/grpc-js";
import type { RunContext } from "@isara/contracts";
import { childLogger, contextFromGrpcMetadata, type LogContext, type Logger } from "@isara/kit";
import { grpcCallError, statusName } from "@isara/kit/grpc";
import type { RetrievalMetrics } from "./service-metrics.js";

/**
 * The log context of a call. The request's RunContext is authoritative for run, domain and round
 * (it is what the call acts on); metadata fills what the request lacks. The request id is the
 * caller's `x-request-id`, else the RunContext's correlation id, so one id follows a run's work
 * from the gateway through every service.
 */
export function callLogContext(metadata: Metadata, context: RunContext | undefined): LogContext {
  const meta = contextFromGrpcMetadata(metadata.getMap());
  return {
    requestId: meta.requestId ?? (context?.correlationId || undefined),
    run: context?.run || meta.run,
    domain: context?.domain || meta.domain,
    round: context === undefined ? meta.round : context.round,
  };
}

/** What a handler gets besides the request. */
export interface CallScope {
  /** Logger bound to the call's component, request id, run, domain and round. */
  readonly log: Logger;
}

/** Options of {@link unaryCall}. */
export interface UnaryCallOptions {
  readonly logger: Logger;
  readonly metrics: RetrievalMetrics;
}

/**
 * A grpc-js unary handler around `handle`. A thrown IsaraError becomes the gRPC status of its code
 * with its message as details (INVALID_ARGUMENT with "what to fix", UNAVAILABLE for a store that is
 * down, ...); `internal` errors and anything unexpected are logged with the cause and answered with a
 * fixed message and the request id instead, since their messages may hold paths or hosts.
 */
export function unaryCall<Req extends { context?: RunContext | undefined }, Res>(
  method: string,
  options: UnaryCallOptions,
  handle: (request: Req, scope: CallScope) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  const { logger, metrics } = options;
  return (call, callback) => {
    const ctx = callLogContext(call.metadata, call.request.context);
    const log = childLogger(logger, { component: "grpc", ...ctx });
    const stopTimer = metrics.callSeconds.startTimer({ method });
    const done = (code: number) => {
      stopTimer();
      metrics.calls.inc({ method, code: statusName(code) });
    };
    handle(call.request, { log }).then(
      (response) => {
        done(grpcStatus.OK);
        log.debug({ method }, "call ok");
        callback(null, response);
      },
      (err: unknown) => {
        const error = grpcCallError(err, method, log, ctx.requestId);
        done(error.code);
        callback(error);
      },
    );
  };
}
