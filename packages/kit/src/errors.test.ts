import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  asIsaraError,
  type ErrorCode,
  GrpcStatus,
  grpcStatusFor,
  httpStatusFor,
  IsaraError,
  toErrorBody,
} from "./errors.js";

describe("status mapping", () => {
  it("maps each code to the HTTP and gRPC status a client expects", () => {
    const expected: [ErrorCode, number, number][] = [
      ["invalid_argument", 400, GrpcStatus.INVALID_ARGUMENT],
      ["unauthenticated", 401, GrpcStatus.UNAUTHENTICATED],
      ["permission_denied", 403, GrpcStatus.PERMISSION_DENIED],
      ["not_found", 404, GrpcStatus.NOT_FOUND],
      ["conflict", 409, GrpcStatus.ALREADY_EXISTS],
      ["failed_precondition", 409, GrpcStatus.FAILED_PRECONDITION],
      ["resource_exhausted", 429, GrpcStatus.RESOURCE_EXHAUSTED],
      ["cancelled", 499, GrpcStatus.CANCELLED],
      ["internal", 500, GrpcStatus.INTERNAL],
      ["unavailable", 503, GrpcStatus.UNAVAILABLE],
      ["deadline_exceeded", 504, GrpcStatus.DEADLINE_EXCEEDED],
    ];
    for (const [code, http, grpc] of expected) {
      assert.equal(httpStatusFor(code), http, code);
      assert.equal(grpcStatusFor(code), grpc, code);
    }
    assert.equal(GrpcStatus.UNAVAILABLE, 14);
    assert.equal(GrpcStatus.UNAUTHENTICATED, 16);
  });
});

describe("toErrorBody", () => {
  it("gives callers the message and details of errors meant for them", () => {
    const err = new IsaraError("invalid_argument", "seeds: need at least 8 pairs, got 3", { got: 3 });
    assert.deepEqual(toErrorBody(err, "req-1"), {
      error: {
        code: "invalid_argument",
        message: "seeds: need at least 8 pairs, got 3",
        details: { got: 3 },
        requestId: "req-1",
      },
    });
  });

  it("never leaks the message, details or stack of internal errors", () => {
    const secret = "password=hunter2 at /srv/app/db.ts:12";
    for (const err of [new IsaraError("internal", secret, { secret }), new Error(secret), secret]) {
      const body = toErrorBody(err, "req-9");
      assert.equal(body.error.code, "internal");
      assert.equal(body.error.requestId, "req-9");
      assert.doesNotMatch(JSON.stringify(body), /hunter2|db\.ts/);
    }
  });
});

describe("asIsaraError", () => {
  it("returns an IsaraError unchanged", () => {
    const err = new IsaraError("not_found", "no domain 'x'");
    assert.equal(asIsaraError(err), err);
  });

  it("classifies aborts, timeouts, network and resource failures so retries see them", () => {
    assert.equal(asIsaraError(new DOMException("aborted", "AbortError")).code, "cancelled");
    assert.equal(
      asIsaraError(new DOMException("signal timed out", "TimeoutError")).code,
      "deadline_exceeded",
    );
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.1.2.3:6333"), { code: "ECONNREFUSED" });
    const mapped = asIsaraError(refused);
    assert.equal(mapped.code, "unavailable");
    assert.equal(mapped.retryable, true);
    assert.equal(mapped.cause, refused);
    assert.doesNotMatch(mapped.message, /10\.1\.2\.3/);
    const full = Object.assign(new Error("write failed"), { code: "ENOSPC" });
    assert.equal(asIsaraError(full).code, "resource_exhausted");
  });

  it("turns a ZodError into invalid_argument naming each bad field", () => {
    const r = z.object({ name: z.string(), k: z.number().int() }).safeParse({ k: 1.5 });
    assert.ok(!r.success);
    const err = asIsaraError(r.error);
    assert.equal(err.code, "invalid_argument");
    assert.match(err.message, /name: /);
    assert.match(err.message, /k: /);
  });

  it("treats anything else, thrown strings included, as internal", () => {
    assert.equal(asIsaraError(new TypeError("x is undefined")).code, "internal");
    const fromString = asIsaraError("boom");
    assert.equal(fromString.code, "internal");
    assert.match(fromString.message, /boom/);
  });
});
