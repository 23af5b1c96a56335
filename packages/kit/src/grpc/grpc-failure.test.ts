import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { IsaraError } from "@isara/core";
import { grpcFailure, isGrpcServiceError } from "./grpc-failure.js";

/** A failed call shaped as grpc-js reports one to a client. */
function serviceError(code: number, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

describe("grpcFailure", () => {
  it("keeps the server's refusal code and details, naming the method and status", () => {
    const err = grpcFailure(
      serviceError(status.INVALID_ARGUMENT, "k must be at least 1"),
      "SelectDemos",
      false,
    );
    assert.ok(err instanceof IsaraError);
    assert.equal(err.code, "invalid_argument");
    assert.equal(err.message, "SelectDemos failed (INVALID_ARGUMENT): k must be at least 1");
  });

  it("maps the transport statuses to retryable or permanent codes", () => {
    const cases: [number, string][] = [
      [status.UNAVAILABLE, "unavailable"],
      [status.ABORTED, "unavailable"],
      [status.DEADLINE_EXCEEDED, "deadline_exceeded"],
      [status.NOT_FOUND, "not_found"],
      [status.ALREADY_EXISTS, "conflict"],
      [status.OUT_OF_RANGE, "invalid_argument"],
      [status.PERMISSION_DENIED, "permission_denied"],
      [status.UNAUTHENTICATED, "unauthenticated"],
      [status.RESOURCE_EXHAUSTED, "resource_exhausted"],
      [status.UNIMPLEMENTED, "failed_precondition"],
      [status.DATA_LOSS, "internal"],
      [status.UNKNOWN, "internal"],
    ];
    for (const [code, expected] of cases) {
      assert.equal(grpcFailure(serviceError(code, "x"), "Upsert", false).code, expected, status[code]);
    }
  });

  it("tells the caller to retry later when the peer is unavailable", () => {
    const err = grpcFailure(
      serviceError(status.UNAVAILABLE, "store is restarting"),
      "retrieval Embed",
      false,
    );
    assert.equal(err.message, "retrieval Embed failed (UNAVAILABLE): store is restarting; retry later");
  });

  it("is cancelled when the caller aborted, and unavailable (retried) when it did not", () => {
    const cancelled = serviceError(status.CANCELLED, "Cancelled on client");
    assert.equal(grpcFailure(cancelled, "Embed", true).code, "cancelled");
    assert.equal(grpcFailure(cancelled, "Embed", false).code, "unavailable");
  });

  it("keeps the original error as the cause", () => {
    const original = serviceError(status.NOT_FOUND, "no run r1");
    assert.equal(grpcFailure(original, "GetRun", false).cause, original);
  });

  it("maps anything that is not a gRPC failure to internal with its message", () => {
    const err = grpcFailure(new TypeError("cannot read properties of undefined"), "Embed", false);
    assert.equal(err.code, "internal");
    assert.equal(err.message, "Embed failed: cannot read properties of undefined");
    assert.equal(grpcFailure("boom", "Embed", false).message, "Embed failed: boom");
  });
});

describe("isGrpcServiceError", () => {
  it("accepts a grpc-js failure and rejects platform errors and plain values", () => {
    assert.equal(isGrpcServiceError(serviceError(status.UNAVAILABLE, "down")), true);
    assert.equal(isGrpcServiceError(new IsaraError("unavailable", "down")), false);
    assert.equal(isGrpcServiceError(new Error("plain")), false);
    assert.equal(isGrpcServiceError({ code: 14 }), false);
    assert.equal(isGrpcServiceError(undefined), false);
  });
});
