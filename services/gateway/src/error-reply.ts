/**
 * Every failure of a request as one body shape, `{ error: { code, message, details, requestId } }`,
 * with the code from core's ERROR_CODES and the status from kit's `httpStatusFor`, except where HTTP
 * has a more precise status for the same code (413 for a body over the limit, 415 for a body that is
 * not JSON). Unexpected failures answer only "internal error" and the request id; the cause goes to
 * the log.
 */
import { asIsaraError, type ErrorBody, httpStatusFor, IsaraError, toErrorBody } from "@isara/kit";
import { problemsMessage, type RequestProblem, requestProblem, type SchemaError } from "./schema-problems.js";

/** A failure ready to send. */
export interface ErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
}

/** What fastify attaches to the errors it raises itself (parsing, limits, validation). */
interface FastifyFailure {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly validation?: readonly SchemaError[];
  readonly validationContext?: string;
}

function failure(status: number, message: string, requestId: string, details?: unknown): ErrorReply {
  const body = toErrorBody(new IsaraError("invalid_argument", message, details), requestId);
  return { status, body };
}

function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number(mib.toFixed(2))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

function fastifyFailure(err: FastifyFailure, bodyLimit: number, requestId: string): ErrorReply | undefined {
  if (err.validation !== undefined && err.validation.length > 0) {
    const context = err.validationContext ?? "body";
    const problems: RequestProblem[] = err.validation.map((e) => requestProblem(e, context));
    return failure(400, problemsMessage(problems), requestId, problems);
  }
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return failure(
        413,
        `the request body is larger than the limit of ${bodyLimit} bytes (${mebibytes(bodyLimit)}); send less data per request`,
        requestId,
        { limitBytes: bodyLimit },
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return failure(415, "send the request body as JSON with Content-Type: application/json", requestId);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return failure(400, "the request body is empty; send a JSON object", requestId);
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return failure(400, `the request body is not valid JSON (${String(err.message)})`, requestId);
  }
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    return failure(err.statusCode, String(err.message), requestId);
  }
  return undefined;
}

/**
 * The reply for anything a request threw: schema violations are 400 with every problem listed (field,
 * where, fix); an `IsaraError` keeps its code, message and details with its mapped status; anything
 * else is a 500 `internal` error.
 */
export function errorReply(err: unknown, bodyLimit: number, requestId: string): ErrorReply {
  if (!(err instanceof IsaraError) && typeof err === "object" && err !== null) {
    const mapped = fastifyFailure(err as FastifyFailure, bodyLimit, requestId);
    if (mapped !== undefined) return mapped;
  }
  const e = asIsaraError(err);
  return { status: httpStatusFor(e.code), body: toErrorBody(e, requestId) };
}
