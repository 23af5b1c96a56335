/**
 * The server side of a failed gRPC call, the same for every service: a thrown value becomes the gRPC
 * status of its platform error code (the kit's `grpcStatusFor`), with its message as details written
 * for the caller, and one log line (a refusal at warn, an internal failure at error with the cause).
 * Each service keeps its own handler wrapper (its metrics and log context differ); this is the part
 * that must not drift between them, since callers map these statuses back with `grpcFailure`.
 */
import { status as grpcStatus } from "@grpc/grpc-js";
import { asIsaraError, grpcStatusFor, type IsaraError, type Logger } from "../index.js";

/** What a grpc-js handler passes to its callback for a failed call. */
export interface GrpcCallError {
  /** The numeric gRPC status. */
  readonly code: number;
  /** The status details the caller sees. */
  readonly details: string;
}

/**
 * The status details sent to the caller: the error's message, except for `internal` errors, whose
 * messages may hold paths or hosts; those get a fixed message that points to the server log by
 * `requestId` (when the call has one), where the cause is.
 */
export function callerMessage(error: IsaraError, requestId: string | undefined): string {
  if (error.code !== "internal") return error.message;
  const where = requestId === undefined ? "" : ` under request id ${requestId}`;
  return `internal error; the server log has the cause${where}`;
}

/** The name of a gRPC status code (`OK`, `NOT_FOUND`, ...), for metric labels; the number when unknown. */
export function statusName(code: number): string {
  return grpcStatus[code] ?? String(code);
}

/**
 * The gRPC error for `err` thrown by the handler of `method`, logged on `log`: refusals (any code but
 * `internal`) at warn with the reason, internal failures (anything that is not an `IsaraError`
 * included) at error with the cause. The details follow {@link callerMessage}.
 */
export function grpcCallError(
  err: unknown,
  method: string,
  log: Logger,
  requestId: string | undefined,
): GrpcCallError {
  const error = asIsaraError(err);
  const code = grpcStatusFor(error.code);
  if (error.code === "internal") log.error({ err: error, method }, "call failed");
  else log.warn({ method, code: error.code, reason: error.message }, "call refused");
  return { code, details: callerMessage(error, requestId) };
}
