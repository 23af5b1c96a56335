import { IsaraError } from "@isara/core";
import { cancelledError, linkSignals, sleep } from "./abort.js";
import { type BackoffPolicy, parseRetryAfter, retryDelay } from "./backoff.js";
import { isRetryableStatus, type StatusHints, serverMessage, statusError, truncate } from "./http-errors.js";

/** How one request is timed and retried. */
export interface RetryPolicy extends BackoffPolicy {
  /** Longest one attempt may take (headers and body), in ms. */
  readonly timeoutMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Told about each retry before its wait. */
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** One retry about to happen, for logs and metrics. */
export interface RetryEvent {
  readonly url: string;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  /** How long the next attempt waits, in ms. */
  readonly delayMs: number;
  /** Why the attempt failed, in words. */
  readonly reason: string;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
}

/** One JSON POST with its retry policy. */
export interface JsonPost {
  readonly url: string;
  readonly body: unknown;
  readonly headers: Headers;
  readonly policy: RetryPolicy;
  /** The caller's signal: when it fires, the request stops at once with a `cancelled` error. */
  readonly signal?: AbortSignal | undefined;
  /** What the request is, for messages ("the completion"). */
  readonly what: string;
  readonly hints: StatusHints;
}

/** A failed attempt that may succeed if tried again. */
interface Retryable {
  readonly reason: string;
  readonly status?: number;
  readonly body?: string;
  readonly retryAfterMs?: number;
}

/**
 * POSTs `body` as JSON and returns the parsed JSON answer of the first 2xx response. Network errors,
 * per-attempt timeouts (`timeoutMs`) and 408/429/5xx are retried up to `maxAttempts` attempts with
 * full-jitter backoff, honouring `Retry-After`; other statuses fail at once (see {@link statusError}),
 * since sending the same bad request again cannot help. The caller's signal ends everything at once,
 * in flight or in a backoff wait, with `cancelled`. Exhausted retries fail with `unavailable`,
 * naming the URL, the attempts and the last failure; a 2xx body that is not JSON fails with `internal`.
 */
export async function postJson(request: JsonPost): Promise<unknown> {
  const { url, policy, signal, what } = request;
  const payload = JSON.stringify(request.body);
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw cancelledError(signal, what);
    const outcome = await attemptOnce(request, payload);
    if (!("reason" in outcome)) return outcome.json;
    if (attempt >= policy.maxAttempts) throw exhaustedError(url, attempt, outcome);
    const delayMs = retryDelay(attempt, policy, outcome.retryAfterMs);
    policy.onRetry?.({
      url,
      attempt,
      delayMs,
      reason: outcome.reason,
      ...(outcome.status === undefined ? {} : { status: outcome.status }),
    });
    await sleep(delayMs, signal, what);
  }
}

/** One attempt: the parsed answer, or why it may be worth another try; throws when it is not. */
async function attemptOnce(
  request: JsonPost,
  payload: string,
): Promise<{ readonly json: unknown } | Retryable> {
  const { url, policy, signal, what } = request;
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const linked = linkSignals([signal, timeout]);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: request.headers,
      body: payload,
      signal: linked.signal,
    });
    const body = await response.text();
    if (response.ok) return { json: parseJson(url, response.status, body) };
    if (!isRetryableStatus(response.status)) throw statusError(url, response.status, body, request.hints);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
    return {
      reason: `HTTP ${response.status}: ${serverMessage(body)}`,
      status: response.status,
      body,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  } catch (err) {
    if (signal?.aborted) throw cancelledError(signal, what);
    if (err instanceof IsaraError) throw err;
    if (timeout.aborted) return { reason: `no complete answer within timeoutMs = ${policy.timeoutMs} ms` };
    return { reason: describeNetworkError(err) };
  } finally {
    linked.dispose();
  }
}

function parseJson(url: string, status: number, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new IsaraError(
      "internal",
      `POST ${url} answered HTTP ${status} with a body that is not JSON: ${truncate(body)}; check that baseUrl ` +
        "points at an OpenAI-compatible server (not a proxy's or UI's page)",
      { url, status, body: truncate(body) },
    );
  }
}

/** fetch's "fetch failed" hides the useful part (ECONNREFUSED, ENOTFOUND, socket hang up) in `cause`. */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const parts = [typeof code === "string" ? code : "", cause.message].filter((part) => part !== "");
    if (parts.length > 0) return `network error: ${[...new Set(parts)].join(" ")}`;
  }
  return `network error: ${String(err)}`;
}

function exhaustedError(url: string, attempts: number, last: Retryable): IsaraError {
  const times = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  return new IsaraError(
    "unavailable",
    `POST ${url} failed after ${times}; last: ${last.reason}; check that the server is running and reachable ` +
      "at baseUrl, or raise timeoutMs / maxAttempts if it is only slow or busy",
    {
      url,
      attempts,
      reason: last.reason,
      ...(last.status === undefined ? {} : { status: last.status }),
      ...(last.body === undefined ? {} : { body: truncate(last.body) }),
    },
  );
}
