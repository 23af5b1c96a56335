import assert from "node:assert/strict";
import { test } from "node:test";
import { ERROR_CODES, IsaraError, isIsaraError, PHASES, RUN_MODES } from "@isara/core";
import { errorCodeFromWire, errorCodeToWire, errorInfoFromWire, errorInfoToWire } from "./error-code.js";
import { ErrorCode, ErrorInfo } from "./gen/isara/v1/error_info.js";
import { phaseFromWire, phaseToWire, runModeFromWire, runModeToWire } from "./run-mode-wire.js";

test("every core error code has its own wire value and comes back unchanged through the bytes", () => {
  const wire = ERROR_CODES.map(errorCodeToWire);
  assert.equal(new Set(wire).size, ERROR_CODES.length, "two core codes share a wire value");
  assert.ok(!wire.includes(ErrorCode.UNSPECIFIED));
  for (const code of ERROR_CODES) {
    const bytes = ErrorInfo.encode(errorInfoToWire(new IsaraError(code, `it was ${code}`))).finish();
    assert.deepEqual(errorInfoFromWire(ErrorInfo.decode(bytes)), { code, message: `it was ${code}` });
  }
});

test("an unset or unknown wire code reads as internal (not retryable), never as a retryable code", () => {
  assert.equal(errorCodeFromWire(ErrorCode.UNSPECIFIED), "internal");
  assert.equal(errorCodeFromWire(99 as ErrorCode), "internal");
  assert.deepEqual(errorInfoToWire(new TypeError("x is undefined")), {
    code: ErrorCode.INTERNAL,
    message: "x is undefined",
  });
  assert.equal(errorInfoToWire({ code: "not_found", message: "no run r" }).code, ErrorCode.NOT_FOUND);
});

test("run modes and phases map one to one; an unspecified one is refused with invalid_argument", () => {
  for (const mode of RUN_MODES) assert.equal(runModeFromWire(runModeToWire(mode)), mode);
  for (const phase of PHASES) assert.equal(phaseFromWire(phaseToWire(phase)), phase);
  assert.equal(new Set(RUN_MODES.map(runModeToWire)).size, RUN_MODES.length);
  assert.throws(
    () => runModeFromWire(0),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
  assert.throws(
    () => phaseFromWire(0),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});
