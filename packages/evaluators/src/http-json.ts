/**
 * One JSON POST with a timeout and a bounded retry, for adapters that call model servers. Overload
 * (429), server errors (5xx), network failures and timeouts are retried with exponential backoff
 * (honouring `Retry-After`); other statuses fail at once, since sending the same request again cannot
 * fix them. Every error names the URL and, where there was one, the status and the server's words.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type ErrorCode, IsaraError } from "@isara/core";

/** How {@link postJson} waits and retries. */
export interface HttpPolicy {
  /** Per attempt, in milliseconds. */
  readonly timeoutMs: number;
  /** Retries after the first attempt (0 = no retry). */
  readonly maxRetries: number;
  /** Wait before the first retry; doubles each retry, at most 30 s. */
  readonly retryDelayMs: number;
  /** Extra request headers, e.g. authorization. */
  readonly headers?: Readonly<Record<string, string>>;
}

const MAX_DELAY_MS = 30_000;

function statusCode(status: number): ErrorCode {
  if (status === 401) return "unauthenticated";
  if (status === 403) return "permission_denied";
  if (status === 404) return "not_found";
  if (status === 429) return "resource_exhausted";
  if (status >= 500) return "unavailable";
  return "invalid_argument";
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** `text` cut for an error message. */
const snippet = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/** POSTs `body` as JSON to `url` and returns the parsed JSON reply, retrying as {@link HttpPolicy} says. */
export async function postJson(
  url: string,
  body: unknown,
  policy: HttpPolicy,
  signal?: AbortSignal,
): Promise<unknown> {
  const payload = JSON.stringify(body);
  let lastError: IsaraError | undefined;
  let waitMs = policy.retryDelayMs;
  for (let attempt = 0; attempt <= policy.maxRetries; attempt++) {
    if (attempt > 0) {
      try {
        await sleep(Math.min(waitMs, MAX_DELAY_MS), undefined, { signal });
      } catch {
        throw new IsaraError("cancelled", `stopped on request while waiting to retry POST ${url}`);
      }
      waitMs = policy.retryDelayMs * 2 ** attempt;
    }
    if (signal?.aborted) throw new IsaraError("cancelled", `stopped on request before POST ${url}`);
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let status: number;
    let text: string;
    let retryAfter: number | undefined;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...policy.headers },
        body: payload,
        signal: attemptSignal,
      });
      status = response.status;
      retryAfter = retryAfterMs(response.headers.get("retry-after"));
      text = await response.text();
    } catch (err) {
      if (signal?.aborted) throw new IsaraError("cancelled", `stopped on request during POST ${url}`);
      lastError = timeout.aborted
        ? new IsaraError(
            "deadline_exceeded",
            `POST ${url} got no reply within ${policy.timeoutMs} ms`,
            undefined,
            {
              cause: err,
            },
          )
        : new IsaraError(
            "unavailable",
            `POST ${url} failed: ${causeMessage(err)}; check that the server runs and the URL is right`,
            undefined,
            { cause: err },
          );
      continue;
    }
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new IsaraError(
          "internal",
          `POST ${url} replied ${status} with non-JSON: ${snippet(text)}`,
          undefined,
          {
            cause: err,
          },
        );
      }
    }
    const error = new IsaraError(statusCode(status), `POST ${url} replied ${status}: ${snippet(text)}`, {
      status,
      url,
    });
    if (status !== 429 && status < 500) throw error;
    lastError = error;
    if (retryAfter !== undefined) waitMs = retryAfter;
  }
  const tries = policy.maxRetries + 1;
  throw new IsaraError(
    lastError?.code ?? "unavailable",
    `${lastError?.message ?? `POST ${url} failed`} (gave up after ${tries} attempt${tries === 1 ? "" : "s"})`,
    lastError?.details,
    { cause: lastError },
  );
}

function causeMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}
