/**
 * gRPC failures of the controller as the platform's one error type, so the HTTP edge maps them with
 * the same table as every other error (kit's `httpStatusFor`). The controller's status details are
 * written for callers (what is wrong, how to fix it) and are kept; failures that are the gateway's
 * own deployment problem (the controller refusing the gateway's credentials, an unimplemented method)
 * become `internal`, because the API caller cannot fix them.
 */
import { type ErrorCode, IsaraError } from "@isara/core";
import { GrpcStatus } from "@isara/kit";
import { isGrpcServiceError } from "@isara/kit/grpc";

const CODE_OF_STATUS: ReadonlyMap<number, ErrorCode> = new Map([
  [GrpcStatus.INVALID_ARGUMENT, "invalid_argument"],
  [GrpcStatus.OUT_OF_RANGE, "invalid_argument"],
  [GrpcStatus.NOT_FOUND, "not_found"],
  [GrpcStatus.ALREADY_EXISTS, "conflict"],
  [GrpcStatus.ABORTED, "conflict"],
  [GrpcStatus.FAILED_PRECONDITION, "failed_precondition"],
  [GrpcStatus.RESOURCE_EXHAUSTED, "resource_exhausted"],
  [GrpcStatus.UNAVAILABLE, "unavailable"],
  [GrpcStatus.DEADLINE_EXCEEDED, "deadline_exceeded"],
  [GrpcStatus.CANCELLED, "cancelled"],
]);

/**
 * The `IsaraError` for a failed controller call `method`. UNAVAILABLE and DEADLINE_EXCEEDED get
 * messages that say retrying may help; other statuses keep the controller's details.
 */
export function controllerError(method: string, err: unknown): IsaraError {
  if (err instanceof IsaraError) return err;
  if (!isGrpcServiceError(err)) {
    return new IsaraError("internal", `controller ${method} failed`, undefined, { cause: err });
  }
  const code = CODE_OF_STATUS.get(err.code) ?? "internal";
  const details = err.details || err.message;
  if (code === "unavailable") {
    return new IsaraError("unavailable", "the controller is unreachable right now; retry later", undefined, {
      cause: err,
    });
  }
  if (code === "deadline_exceeded") {
    return new IsaraError(
      "deadline_exceeded",
      `the controller did not answer ${method} in time; retry later`,
      undefined,
      { cause: err },
    );
  }
  return new IsaraError(
    code,
    code === "internal" ? `controller ${method} failed: ${details}` : details,
    undefined,
    {
      cause: err,
    },
  );
}
