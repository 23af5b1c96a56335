import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import { IsaraError } from "@isara/core";
import { createRootLogger } from "../index.js";
import { callerMessage, grpcCallError, statusName } from "./grpc-call-error.js";

/** A logger that keeps each JSON line it writes, parsed. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = {
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return { lines, log: createRootLogger({ level: "debug", name: "test", destination }) };
}

describe("grpcCallError", () => {
  it("answers a refusal with its gRPC status and message, logged at warn", () => {
    const { lines, log } = capturingLogger();
    const refusal = new IsaraError("invalid_argument", "domain.name is empty; give the domain a name");
    const error = grpcCallError(refusal, "CreateRun", log, "req-1");
    assert.deepEqual(error, {
      code: status.INVALID_ARGUMENT,
      details: "domain.name is empty; give the domain a name",
    });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.level, "warn");
    assert.equal(lines[0]?.msg, "call refused");
    assert.equal(lines[0]?.method, "CreateRun");
    assert.equal(lines[0]?.code, "invalid_argument");
  });

  it("hides an internal failure's message from the caller and logs the cause at error", () => {
    const { lines, log } = capturingLogger();
    const error = grpcCallError(new Error("EACCES /var/lib/isara/runs"), "Upsert", log, "req-2");
    assert.equal(error.code, status.INTERNAL);
    assert.equal(error.details, "internal error; the server log has the cause under request id req-2");
    assert.doesNotMatch(error.details, /var\/lib/);
    assert.equal(lines[0]?.level, "error");
    assert.equal(lines[0]?.msg, "call failed");
    assert.match(JSON.stringify(lines[0]?.err), /EACCES \/var\/lib\/isara\/runs/);
  });

  it("maps retryable platform codes to the statuses clients retry on", () => {
    const { log } = capturingLogger();
    const unavailable = grpcCallError(new IsaraError("unavailable", "store down"), "Embed", log, undefined);
    assert.equal(unavailable.code, status.UNAVAILABLE);
    const notFound = grpcCallError(new IsaraError("not_found", "no run r9"), "GetRun", log, undefined);
    assert.equal(notFound.code, status.NOT_FOUND);
  });
});

describe("callerMessage", () => {
  it("omits the request id when the call has none", () => {
    assert.equal(
      callerMessage(new IsaraError("internal", "secret path"), undefined),
      "internal error; the server log has the cause",
    );
    assert.equal(callerMessage(new IsaraError("conflict", "run id taken"), "r"), "run id taken");
  });
});

describe("statusName", () => {
  it("names known statuses and falls back to the number", () => {
    assert.equal(statusName(status.OK), "OK");
    assert.equal(statusName(status.RESOURCE_EXHAUSTED), "RESOURCE_EXHAUSTED");
    assert.equal(statusName(99), "99");
  });
});
