/**
 * Core's error codes on the wire. Core names its codes as strings (`invalid_argument`); the contracts
 * carry them as the `isara.v1.ErrorCode` enum. These maps are total in both directions, so a code
 * survives any hop between services unchanged and a new core code fails to compile here until it has
 * a wire value.
 */
import { type ErrorCode as CoreErrorCode, IsaraError, type RunError } from "@isara/core";
import type { ErrorInfo } from "./gen/isara/v1/error_info.js";
import { ErrorCode } from "./gen/isara/v1/error_info.js";

const TO_WIRE: Readonly<Record<CoreErrorCode, ErrorCode>> = {
  invalid_argument: ErrorCode.INVALID_ARGUMENT,
  not_found: ErrorCode.NOT_FOUND,
  conflict: ErrorCode.CONFLICT,
  unauthenticated: ErrorCode.UNAUTHENTICATED,
  permission_denied: ErrorCode.PERMISSION_DENIED,
  failed_precondition: ErrorCode.FAILED_PRECONDITION,
  unavailable: ErrorCode.UNAVAILABLE,
  deadline_exceeded: ErrorCode.DEADLINE_EXCEEDED,
  cancelled: ErrorCode.CANCELLED,
  resource_exhausted: ErrorCode.RESOURCE_EXHAUSTED,
  internal: ErrorCode.INTERNAL,
};

const FROM_WIRE: ReadonlyMap<ErrorCode, CoreErrorCode> = new Map(
  Object.entries(TO_WIRE).map(([core, wire]) => [wire, core as CoreErrorCode]),
);

/** The wire enum value of a core error code. */
export function errorCodeToWire(code: CoreErrorCode): ErrorCode {
  return TO_WIRE[code];
}

/**
 * The core error code of a wire value. `UNSPECIFIED` and values this build does not know (a newer
 * peer) read as `internal`: the failure is kept, never dropped, and `internal` is not retryable, so
 * an unknown failure is not retried in a loop.
 */
export function errorCodeFromWire(code: ErrorCode): CoreErrorCode {
  return FROM_WIRE.get(code) ?? "internal";
}

/**
 * An error as `ErrorInfo`: an {@link IsaraError} (or a core `RunError`) keeps its code and message;
 * anything else is `internal` with its message, the same rule as core's `failedEvent`.
 */
export function errorInfoToWire(err: unknown): ErrorInfo {
  if (err instanceof IsaraError) return { code: errorCodeToWire(err.code), message: err.message };
  if (isRunError(err)) return { code: errorCodeToWire(err.code), message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: ErrorCode.INTERNAL, message };
}

/** A wire `ErrorInfo` as core's `RunError` (what run state and `failed` events hold). */
export function errorInfoFromWire(info: ErrorInfo): RunError {
  return { code: errorCodeFromWire(info.code), message: info.message };
}

function isRunError(value: unknown): value is RunError {
  if (typeof value !== "object" || value === null) return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof message === "string" && typeof code === "string" && Object.hasOwn(TO_WIRE, code);
}
