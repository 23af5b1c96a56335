import { IsaraError, type Rng } from "@isara/core";
import type { RetryEvent, RetryPolicy } from "./http-request.js";

/** Extra request headers: fixed, or computed per request (e.g. from the current log context). */
export type HeaderSource = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

/** How long to wait between attempts; see {@link resolveOpenAiOptions} for the defaults. */
export interface BackoffOptions {
  /** Cap of the first retry's delay in ms; it doubles per attempt (default 250). */
  readonly baseMs?: number;
  /** Largest delay cap in ms, however many attempts (default 8000). */
  readonly maxMs?: number;
  /** Longest a server's `Retry-After` is honoured, in ms; longer asks are cut to this (default 30000). */
  readonly maxRetryAfterMs?: number;
  /** Source of the jitter in [0, 1) (default Math.random); tests pass a fixed one. */
  readonly random?: Rng;
}

/**
 * Configuration shared by `createOpenAiLlm` and `createOpenAiChat`. Only `baseUrl` and
 * `model` are required, so `{ baseUrl: "http://127.0.0.1:8080", model: "smollm2" }` is a whole config.
 */
export interface OpenAiOptions {
  /**
   * Root URL of the server, e.g. `http://vllm:8000`. Requests go to `{baseUrl}/v1/...`; a `baseUrl`
   * that already ends in `/v1` (as OpenAI SDKs expect) is accepted and the `/v1` is not doubled.
   */
  readonly baseUrl: string;
  /**
   * Name the server serves the base model under (vLLM: `--served-model-name`, else the model path).
   * A completion request with an `adapter` sends the adapter's name as `model` instead: that is how
   * vLLM (`--enable-lora --lora-modules NAME=PATH`) and similar servers select a LoRA adapter.
   */
  readonly model: string;
  /** Name of the model in lineage and logs (default: `model`). */
  readonly modelId?: string;
  /** Sent as `Authorization: Bearer <apiKey>`; leave out for servers without auth. */
  readonly apiKey?: string;
  /**
   * Requests callers should keep in flight (default 4). Only advertised, never enforced here: match
   * it to the server's concurrent slots (vLLM batches far more; llama.cpp server: its `--parallel`).
   */
  readonly parallelism?: number;
  /** Longest one attempt may take, headers and body, in ms (default 120000; CPU servers are slow). */
  readonly timeoutMs?: number;
  /** Attempts per request in all, the first included (default 4; 1 = never retry). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /**
   * Headers added to every request, e.g. the log context (`x-request-id`, `x-isara-run`) so the
   * server's logs line up with ours. A function is called per request. `apiKey` wins over an
   * `authorization` header here, and the JSON content type cannot be replaced.
   */
  readonly headers?: HeaderSource;
  /** Told about every retry before its wait, e.g. to log it; must not throw. */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * Body fields a completion's repetition penalty is sent under (default `["repetition_penalty"]`,
   * the name vLLM, TGI and ISARA's own server read). llama.cpp's `llama-server` reads
   * `repeat_penalty` instead: pass `["repeat_penalty"]` (or both) there. `[]` never sends it, for
   * servers such as OpenAI's that refuse unknown fields.
   */
  readonly repetitionPenaltyFields?: readonly string[];
}

/** {@link OpenAiOptions} checked and completed with defaults. */
export interface ResolvedOpenAiOptions {
  /** Without a trailing slash or `/v1`. */
  readonly baseUrl: string;
  readonly model: string;
  readonly modelId: string;
  readonly apiKey: string | undefined;
  readonly parallelism: number;
  readonly headers: HeaderSource | undefined;
  readonly repetitionPenaltyFields: readonly string[];
  readonly policy: RetryPolicy;
}

/**
 * Checks every option and fills in defaults. All problems are reported at once in one
 * `invalid_argument` error (listed in its details), so a bad config is fixed in one go, at start
 * rather than at the first request.
 */
export function resolveOpenAiOptions(options: OpenAiOptions): ResolvedOpenAiOptions {
  const problems: string[] = [];
  const integer = (name: string, value: number | undefined, min: number, max: number, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const text = (name: string, value: unknown, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value === "string" && value.trim() !== "") return value;
    problems.push(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const baseUrl = normalizeBaseUrl(options.baseUrl, problems);
  const model = text("model", options.model, true);
  const modelId = text("modelId", options.modelId, false) ?? model;
  const apiKey = text("apiKey", options.apiKey, false);
  const parallelism = integer("parallelism", options.parallelism, 1, 4096, 4);
  const timeoutMs = integer("timeoutMs", options.timeoutMs, 1, 3_600_000, 120_000);
  const maxAttempts = integer("maxAttempts", options.maxAttempts, 1, 100, 4);
  const backoff = options.backoff ?? {};
  const baseMs = integer("backoff.baseMs", backoff.baseMs, 0, 600_000, 250);
  const maxMs = integer("backoff.maxMs", backoff.maxMs, 0, 600_000, Math.max(8000, baseMs));
  if (maxMs < baseMs) problems.push(`backoff.maxMs (${maxMs}) must not be below backoff.baseMs (${baseMs})`);
  const maxRetryAfterMs = integer("backoff.maxRetryAfterMs", backoff.maxRetryAfterMs, 0, 3_600_000, 30_000);
  if (typeof options.headers === "object") {
    try {
      new Headers(options.headers);
    } catch (err) {
      problems.push(`headers must be valid HTTP header names and values (${(err as Error).message})`);
    }
  }
  const penaltyFields = options.repetitionPenaltyFields ?? ["repetition_penalty"];
  const taken = new Set(["model", "prompt", "max_tokens", "temperature", "top_p", "seed", "stop"]);
  if (
    !Array.isArray(penaltyFields) ||
    penaltyFields.some((f) => typeof f !== "string" || !/^\w+$/.test(f) || taken.has(f))
  ) {
    problems.push(
      `repetitionPenaltyFields must be a list of JSON field names other than the ones sent anyway, got ${JSON.stringify(penaltyFields)}`,
    );
  }
  if (problems.length > 0 || baseUrl === undefined || model === undefined || modelId === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `invalid OpenAI-compatible client options: ${problems.join("; ")}`,
      {
        problems,
      },
    );
  }
  return {
    baseUrl,
    model,
    modelId,
    apiKey,
    parallelism,
    headers: options.headers,
    repetitionPenaltyFields: [...penaltyFields],
    policy: {
      timeoutMs,
      maxAttempts,
      baseMs,
      maxMs,
      maxRetryAfterMs,
      random: backoff.random ?? { next: Math.random },
      onRetry: options.onRetry,
    },
  };
}

/** `http(s)://host[:port][/prefix]` without a trailing slash or `/v1`; anything else is a problem. */
function normalizeBaseUrl(value: unknown, problems: string[]): string | undefined {
  const wanted = "baseUrl must be an http(s) URL such as http://127.0.0.1:8000";
  if (typeof value !== "string" || !URL.canParse(value)) {
    problems.push(`${wanted}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const url = new URL(value);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    problems.push(`${wanted}, got the protocol ${url.protocol}`);
    return undefined;
  }
  if (url.search !== "" || url.hash !== "") {
    problems.push(`baseUrl must not have a query or fragment, got ${value}`);
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${url.origin}${path}`;
}
