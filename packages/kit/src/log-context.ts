/**
 * The context that follows a piece of work across services: which request, which run, which domain,
 * which round. It travels in HTTP headers, gRPC metadata and Kafka headers under the same keys, and
 * is bound to loggers so every line about a run can be found with one query.
 */
export interface LogContext {
  /** Id of the incoming request that started the work (from `x-request-id` or generated at the edge). */
  readonly requestId?: string;
  /** The alignment run. */
  readonly run?: string;
  /** The domain the run aligns to. */
  readonly domain?: string;
  /** The ISARA iteration (round 0 is the seeds). */
  readonly round?: number;
}

/** Header / metadata keys, lowercase because HTTP/2, gRPC and Node lower-case header names. */
export const CONTEXT_HEADERS = {
  requestId: "x-request-id",
  run: "x-isara-run",
  domain: "x-isara-domain",
  round: "x-isara-round",
} as const;

/** Largest round accepted from the wire; far above any real run, small enough to reject junk. */
const MAX_ROUND = 100_000;
/** Ids: 1-128 visible ASCII characters, no spaces or control characters (no log or header injection). */
const ID = /^[\x21-\x7e]{1,128}$/;

function validId(value: unknown): value is string {
  return typeof value === "string" && ID.test(value);
}

function validRound(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_ROUND;
}

/**
 * Only the valid, set fields of `ctx`, as plain log bindings. Invalid values are dropped, not
 * thrown on: context is diagnostic, and a bad id must never fail the work it describes.
 */
export function logContextBindings(ctx: LogContext): LogContext {
  const out: { requestId?: string; run?: string; domain?: string; round?: number } = {};
  if (validId(ctx.requestId)) out.requestId = ctx.requestId;
  if (validId(ctx.run)) out.run = ctx.run;
  if (validId(ctx.domain)) out.domain = ctx.domain;
  if (validRound(ctx.round)) out.round = ctx.round;
  return out;
}

/** Encodes the valid fields of `ctx` as string values under {@link CONTEXT_HEADERS}. */
function encode(ctx: LogContext): Record<string, string> {
  const valid = logContextBindings(ctx);
  const out: Record<string, string> = {};
  if (valid.requestId !== undefined) out[CONTEXT_HEADERS.requestId] = valid.requestId;
  if (valid.run !== undefined) out[CONTEXT_HEADERS.run] = valid.run;
  if (valid.domain !== undefined) out[CONTEXT_HEADERS.domain] = valid.domain;
  if (valid.round !== undefined) out[CONTEXT_HEADERS.round] = String(valid.round);
  return out;
}

/** A header value as the transports hand it over: text, bytes, repeated, or absent. */
export type WireValue = string | Uint8Array | readonly (string | Uint8Array)[] | undefined | null;

/** First value of a possibly repeated header, as text (bytes decoded as UTF-8). */
function text(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first === "string") return first.trim();
  if (first instanceof Uint8Array) return new TextDecoder().decode(first).trim();
  return undefined;
}

/** Reads context from a record of header values, matching keys case-insensitively; junk is ignored. */
function decode(headers: Readonly<Record<string, unknown>>): LogContext {
  const lower = new Map<string, unknown>();
  for (const [key, value] of Object.entries(headers)) lower.set(key.toLowerCase(), value);
  const roundText = text(lower.get(CONTEXT_HEADERS.round));
  const round = roundText !== undefined && /^\d{1,6}$/.test(roundText) ? Number(roundText) : undefined;
  return logContextBindings({
    requestId: text(lower.get(CONTEXT_HEADERS.requestId)),
    run: text(lower.get(CONTEXT_HEADERS.run)),
    domain: text(lower.get(CONTEXT_HEADERS.domain)),
    round,
  });
}

/** HTTP request headers to send downstream so the next service logs under the same context. */
export function contextToHttpHeaders(ctx: LogContext): Record<string, string> {
  return encode(ctx);
}

/**
 * Context from incoming HTTP headers: a Node/fastify headers record (`string | string[]`) or a fetch
 * `Headers` object. Missing or malformed values are left out.
 */
export function contextFromHttpHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>> | Pick<Headers, "get">,
): LogContext {
  if (typeof headers.get === "function") {
    const h = headers as Pick<Headers, "get">;
    const record: Record<string, string | undefined> = {};
    for (const key of Object.values(CONTEXT_HEADERS)) record[key] = h.get(key) ?? undefined;
    return decode(record);
  }
  return decode(headers as Readonly<Record<string, unknown>>);
}

/**
 * gRPC metadata entries for an outgoing call, as a plain record so this kit needs no gRPC library:
 * add each entry with `metadata.set(key, value)`.
 */
export function contextToGrpcMetadata(ctx: LogContext): Record<string, string> {
  return encode(ctx);
}

/** Context from incoming gRPC metadata, e.g. `call.metadata.getMap()` (values string or Buffer). */
export function contextFromGrpcMetadata(metadata: Readonly<Record<string, WireValue>>): LogContext {
  return decode(metadata);
}

/** Kafka message headers for a produced message (kafkajs accepts string values). */
export function contextToKafkaHeaders(ctx: LogContext): Record<string, string> {
  return encode(ctx);
}

/** Context from a consumed Kafka message's headers (kafkajs gives Buffers, possibly repeated). */
export function contextFromKafkaHeaders(
  headers: Readonly<Record<string, WireValue>> | undefined,
): LogContext {
  return headers === undefined ? {} : decode(headers);
}
