import { type ErrorCode, IsaraError } from "@isara/core";

/** Longest piece of a server's answer quoted in an error message. */
export const MAX_QUOTED_BODY = 500;

/** `text` cut to `max` characters, marked where it was cut. */
export function truncate(text: string, max = MAX_QUOTED_BODY): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${flat.length - max} more characters)`;
}

/**
 * The human part of an error body, truncated: `error.message` (OpenAI, llama.cpp server, vLLM 0.6+),
 * a top-level `message` (older vLLM) or `detail` (FastAPI validation), else the raw text. Servers
 * usually say exactly what is wrong (prompt too long, unknown model), so this goes into our message.
 */
export function serverMessage(body: string): string {
  if (body.trim() === "") return "(empty body)";
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null) {
      const record = parsed as Record<string, unknown>;
      const error = record.error;
      if (typeof error === "object" && error !== null) {
        const message = (error as Record<string, unknown>).message;
        if (typeof message === "string") return truncate(message);
      }
      if (typeof error === "string") return truncate(error);
      if (typeof record.message === "string") return truncate(record.message);
      if (record.detail !== undefined) return truncate(JSON.stringify(record.detail));
    }
  } catch {
    // Not JSON: quote the raw text below.
  }
  return truncate(body);
}

/** Statuses after which the same request may succeed: timeout, rate limit, server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** What to tell the user for a status that will not be retried. */
export interface StatusHints {
  /** Added to a 404: which model was asked for and how to find the served names. */
  readonly notFound: string;
}

/**
 * The final error for an answer that retrying cannot fix: 400/413/422 and other 4xx →
 * `invalid_argument`, 401 → `unauthenticated`, 403 → `permission_denied`, 404 → `not_found`,
 * anything else unexpected → `internal`. The message names the URL, the status, the server's own
 * words and what to do; details carry them as data for logs.
 */
export function statusError(url: string, status: number, body: string, hints: StatusHints): IsaraError {
  const said = serverMessage(body);
  const [code, remedy] = classify(status, hints);
  return new IsaraError(code, `POST ${url} answered HTTP ${status}: ${said}; ${remedy}`, {
    url,
    status,
    body: truncate(body),
  });
}

function classify(status: number, hints: StatusHints): readonly [ErrorCode, string] {
  switch (status) {
    case 401:
      return ["unauthenticated", "set apiKey to a key this server accepts"];
    case 403:
      return [
        "permission_denied",
        "the apiKey is not allowed to do this; use a key with access to the model",
      ];
    case 404:
      return ["not_found", hints.notFound];
    default:
      if (status >= 400 && status <= 499) {
        return [
          "invalid_argument",
          "the server refused the request as sent; fix what it names (often the prompt plus maxTokens " +
            "exceeds the model's context, or a sampling value is out of range)",
        ];
      }
      return [
        "internal",
        "this is not an answer an OpenAI-compatible server gives; check that baseUrl points at one",
      ];
  }
}
