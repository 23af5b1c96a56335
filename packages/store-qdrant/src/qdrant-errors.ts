import { IsaraError } from "@isara/core";

/** Node's errno codes meaning "nothing answers at that address right now". */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * `url` without user name and password, for messages: a Qdrant URL may carry credentials, and error
 * messages end up in logs and in gRPC statuses sent to callers.
 */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(unparsable URL)";
  }
}

function errnoOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (typeof e === "object" && "code" in e && typeof e.code === "string" && e.code !== "") return e.code;
    e = typeof e === "object" && "cause" in e ? e.cause : undefined;
  }
  return undefined;
}

/** Qdrant's own explanation in an error body (`{"status":{"error":"..."}}`), if there is one. */
function qdrantReason(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || !("status" in data)) return undefined;
  const status = data.status;
  if (typeof status !== "object" || status === null || !("error" in status)) return undefined;
  return typeof status.error === "string" ? status.error : undefined;
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null || !("status" in err)) return undefined;
  return typeof err.status === "number" ? err.status : undefined;
}

/**
 * Any failure of a Qdrant call as an {@link IsaraError} whose message names the Qdrant URL and the
 * action, so an operator sees at once which server and what step failed:
 * unreachable server → `unavailable` (retryable); client timeout → `deadline_exceeded`; HTTP 400/422
 * → `invalid_argument` with Qdrant's reason; 401 → `unauthenticated`; 403 → `permission_denied`;
 * 404 → `not_found`; 409 → `conflict`; 429 → `resource_exhausted`; 502/503/504 → `unavailable`;
 * anything else `internal`. The original error is kept as `cause` for the log.
 */
export function qdrantError(err: unknown, action: string, url: string): IsaraError {
  if (err instanceof IsaraError) return err;
  const where = `Qdrant at ${displayUrl(url)}`;
  const cause = { cause: err };
  const name = err instanceof Error ? err.name : "";
  if (name === "QdrantClientTimeoutError" || name === "TimeoutError" || name === "AbortError") {
    return new IsaraError(
      "deadline_exceeded",
      `${where} did not answer in time while trying to ${action}; retry later`,
      undefined,
      cause,
    );
  }
  if (name === "QdrantClientResourceExhaustedError") {
    return new IsaraError(
      "resource_exhausted",
      `${where} is rate limiting; could not ${action}, retry later`,
      undefined,
      cause,
    );
  }
  const status = httpStatusOf(err);
  if (status !== undefined) {
    const data = typeof err === "object" && err !== null && "data" in err ? err.data : undefined;
    const reason = qdrantReason(data) ?? (err instanceof Error ? err.message : "");
    const said = `${where} answered HTTP ${status}${reason ? ` (${reason})` : ""} when asked to ${action}`;
    if (status === 400 || status === 422) return new IsaraError("invalid_argument", said, undefined, cause);
    if (status === 401) {
      return new IsaraError(
        "unauthenticated",
        `${said}; set QDRANT_API_KEY to a key the server accepts`,
        undefined,
        cause,
      );
    }
    if (status === 403)
      return new IsaraError("permission_denied", `${said}; the API key may be read-only`, undefined, cause);
    if (status === 404) return new IsaraError("not_found", said, undefined, cause);
    if (status === 409) return new IsaraError("conflict", said, undefined, cause);
    if (status === 429) return new IsaraError("resource_exhausted", `${said}; retry later`, undefined, cause);
    if (status === 502 || status === 503 || status === 504) {
      return new IsaraError("unavailable", `${said}; retry later`, undefined, cause);
    }
    return new IsaraError("internal", said, undefined, cause);
  }
  const errno = errnoOf(err);
  if (
    (errno !== undefined && UNREACHABLE.has(errno)) ||
    (err instanceof TypeError && err.message === "fetch failed")
  ) {
    // No errno when fetch itself refuses (e.g. "bad port" for ports fetch blocks): show its reason.
    const why = errno ?? (err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined);
    return new IsaraError(
      "unavailable",
      `cannot reach ${where} to ${action}${why ? ` (${why})` : ""}; check QDRANT_URL and that the server is running`,
      { url: displayUrl(url), errno },
      cause,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new IsaraError("internal", `${where} failed to ${action}: ${message}`, undefined, cause);
}

/** Runs one Qdrant call, turning its failures into IsaraErrors with {@link qdrantError}. */
export async function qdrantCall<T>(url: string, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw qdrantError(err, action, url);
  }
}
