import { type ErrorCode, IsaraError } from "@isara/core";
import { asIsaraError, httpStatusFor } from "@isara/kit";

/**
 * The error body of the OpenAI API, which every OpenAI client (and every HTTP `Llm` adapter) already
 * knows how to read: `message` for people, `type` for the class of error, `code` for programs,
 * `param` naming the request field at fault when there is one.
 */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    /** `invalid_request_error` for 4xx, `server_error` for 5xx, as OpenAI sends them. */
    readonly type: "invalid_request_error" | "server_error";
    /** The platform's error code (`invalid_argument`, `not_found`, ...) or an HTTP-level one (`payload_too_large`). */
    readonly code: string;
    /** The request field at fault (`max_tokens`, `messages[0].role`, `model`), or null. */
    readonly param: string | null;
  };
}

/** An error ready to send: its HTTP status and body. */
export interface OpenAiErrorReply {
  readonly status: number;
  readonly body: OpenAiErrorBody;
}

/** One problem of JSON-schema validation, as Ajv reports it (the fields this module reads). */
interface SchemaProblem {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/** A failure raised by fastify itself (parsing, limits, validation) rather than by a route. */
interface FastifyFailure {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly validation?: readonly SchemaProblem[];
}

/** `/messages/0/role` → `messages[0].role`, the way OpenAI names nested fields. */
function fieldName(instancePath: string, extra?: unknown): string {
  const parts = instancePath.split("/").filter((p) => p !== "");
  if (typeof extra === "string") parts.push(extra);
  return parts.reduce(
    (name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name ? `${name}.${part}` : part),
    "",
  );
}

/** One schema problem as "field: what is wrong", naming the field a user must fix. */
function describeProblem(problem: SchemaProblem): { param: string; text: string } {
  if (problem.keyword === "required") {
    const param = fieldName(problem.instancePath, problem.params.missingProperty);
    return { param, text: `${param} is required` };
  }
  const param = fieldName(problem.instancePath) || "body";
  const detail =
    problem.keyword === "enum" && Array.isArray(problem.params.allowedValues)
      ? `must be one of ${problem.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`
      : problem.keyword === "type"
        ? (problem.message ?? "has the wrong type").replace(/,/g, " or ")
        : (problem.message ?? "is invalid");
  return { param, text: `${param} ${detail}` };
}

function reply(status: number, code: string, message: string, param: string | null = null): OpenAiErrorReply {
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  return { status, body: { error: { message, type, code, param } } };
}

/** Fastify's own failures, mapped to OpenAI errors; `undefined` when `err` is not one of them. */
function fastifyFailure(err: FastifyFailure, bodyLimit: number): OpenAiErrorReply | undefined {
  if (err.validation !== undefined && err.validation.length > 0) {
    const problems = err.validation.map(describeProblem);
    const first = problems[0]?.param ?? null;
    return reply(
      400,
      "invalid_argument",
      `invalid request: ${problems.map((p) => p.text).join("; ")}`,
      first,
    );
  }
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return reply(
        413,
        "payload_too_large",
        `the request body is larger than ${bodyLimit} bytes; send a shorter prompt`,
      );
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return reply(
        415,
        "unsupported_media_type",
        "send the request body as JSON (Content-Type: application/json)",
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return reply(400, "invalid_argument", "the request body is empty; send a JSON object");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return reply(400, "invalid_argument", `the request body is not valid JSON: ${String(err.message)}`);
  }
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    return reply(err.statusCode, "invalid_argument", String(err.message));
  }
  return undefined;
}

/**
 * Maps anything a request can throw to an OpenAI error reply. Schema violations list every wrong
 * field (400); an oversized body is 413 and says the limit; an `IsaraError` keeps its message and
 * gets its platform status (`not_found` 404, `invalid_argument` 400, `unavailable` 503, ...). An
 * unexpected failure is a 500 whose body says only that the log has the cause, because its message
 * may hold paths the caller should not see.
 */
export function toOpenAiError(err: unknown, bodyLimit: number): OpenAiErrorReply {
  if (!(err instanceof IsaraError) && typeof err === "object" && err !== null) {
    const mapped = fastifyFailure(err, bodyLimit);
    if (mapped !== undefined) return mapped;
  }
  const e = asIsaraError(err);
  const status = httpStatusFor(e.code);
  if (e.code === "internal") return reply(status, e.code, "internal error; the server log has the cause");
  return reply(status, e.code, e.message, paramOf(e));
}

/** The field an `IsaraError` blames, when it was raised with `details: { param }`. */
function paramOf(e: IsaraError): string | null {
  const details = e.details;
  if (typeof details !== "object" || details === null || !("param" in details)) return null;
  return typeof details.param === "string" ? details.param : null;
}

/** An `invalid_argument` error about one request field, reported as that field's `param`. */
export function fieldError(param: string, message: string, code: ErrorCode = "invalid_argument"): IsaraError {
  return new IsaraError(code, message, { param });
}
