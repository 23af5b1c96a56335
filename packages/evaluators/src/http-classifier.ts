import { type Classification, IsaraError, type TextClassifier } from "@isara/core";
import { type HttpPolicy, postJson } from "./http-json.js";

/** Wire formats the HTTP classifier speaks. */
export type HttpClassifierFormat = "openai-moderations" | "tei";

/** Options of {@link createHttpClassifier}. */
export interface HttpClassifierOptions {
  /** Server root, e.g. `http://localhost:8080` (a trailing `/v1` is accepted for the OpenAI format). */
  readonly baseUrl: string;
  /**
   * `openai-moderations`: POST `{baseUrl}/v1/moderations` `{input: string[]}` → `results[].category_scores`.
   * `tei`: text-embeddings-inference / HF inference classification, POST `{baseUrl}/predict`
   * `{inputs: string[]}` → one `[{label, score}]` list per input.
   */
  readonly format: HttpClassifierFormat;
  /** Model name: sent as `model` in the OpenAI format, and the classifier's `modelId`. */
  readonly model?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Per request attempt, in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Retries on 429, 5xx, network errors and timeouts. Default 3. */
  readonly maxRetries?: number;
  /** First retry delay in ms, doubling after. Default 500. */
  readonly retryDelayMs?: number;
  /** Texts per request; longer lists are split. Default 32 (TEI's default client batch limit). */
  readonly batchSize?: number;
  /** TEI only: ask the server to truncate texts longer than the model's window instead of failing. Default true. */
  readonly truncate?: boolean;
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new IsaraError(
      "invalid_argument",
      `http classifier ${what} must be a positive integer, got ${value}`,
    );
  }
  return value;
}

function endpoint(baseUrl: string, format: HttpClassifierFormat): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new IsaraError(
      "invalid_argument",
      `classifier baseUrl "${baseUrl}" is not a URL; use e.g. http://localhost:8080`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new IsaraError("invalid_argument", `classifier baseUrl must be http(s), got "${baseUrl}"`);
  }
  const root = url.href.replace(/\/+$/, "");
  if (format === "tei") return `${root}/predict`;
  return root.endsWith("/v1") ? `${root}/moderations` : `${root}/v1/moderations`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function numericScores(value: unknown): Record<string, number> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, number> = {};
  for (const [label, score] of Object.entries(value)) {
    if (typeof score !== "number" || !Number.isFinite(score)) return undefined;
    out[label] = score;
  }
  return out;
}

function labelScores(value: unknown): Record<string, number> | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Record<string, number> = {};
  for (const entry of value) {
    if (!isRecord(entry) || typeof entry.label !== "string" || typeof entry.score !== "number")
      return undefined;
    out[entry.label] = entry.score;
  }
  return out;
}

/** The per-input score maps of a reply, or undefined when it is not in the expected format. */
function readReply(
  format: HttpClassifierFormat,
  reply: unknown,
  count: number,
): Record<string, number>[] | undefined {
  if (format === "openai-moderations") {
    const results = isRecord(reply) ? reply.results : undefined;
    if (!Array.isArray(results)) return undefined;
    const maps = results.map((r) => numericScores(isRecord(r) ? r.category_scores : undefined));
    return maps.every((m) => m !== undefined) ? (maps as Record<string, number>[]) : undefined;
  }
  if (!Array.isArray(reply)) return undefined;
  // A server given one input may answer with a flat list instead of a list of lists.
  const lists = count === 1 && reply.length > 0 && !Array.isArray(reply[0]) ? [reply] : reply;
  const maps = lists.map(labelScores);
  return maps.every((m) => m !== undefined) ? (maps as Record<string, number>[]) : undefined;
}

/**
 * A {@link TextClassifier} for a classification model served over HTTP, in the OpenAI moderations
 * format (OpenAI, and servers that copy it) or the text-embeddings-inference `/predict` format
 * (HF classification models such as toxicity or moderation classifiers). Texts are sent in batches,
 * each request with a timeout and a bounded retry (see `postJson`); a reply in the wrong shape or
 * with the wrong number of results is an error naming the URL and the format, so a format mix-up is
 * found at once instead of producing empty scores.
 */
export function createHttpClassifier(options: HttpClassifierOptions): TextClassifier {
  const url = endpoint(options.baseUrl, options.format);
  const batchSize = positiveInt(options.batchSize ?? 32, "batchSize");
  const policy: HttpPolicy = {
    timeoutMs: positiveInt(options.timeoutMs ?? 30_000, "timeoutMs"),
    maxRetries: options.maxRetries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 500,
    ...(options.apiKey ? { headers: { authorization: `Bearer ${options.apiKey}` } } : {}),
  };
  if (!Number.isSafeInteger(policy.maxRetries) || policy.maxRetries < 0 || policy.maxRetries > 10) {
    throw new IsaraError(
      "invalid_argument",
      `http classifier maxRetries must be 0 to 10, got ${policy.maxRetries}`,
    );
  }
  if (!Number.isFinite(policy.retryDelayMs) || policy.retryDelayMs < 0) {
    throw new IsaraError(
      "invalid_argument",
      `http classifier retryDelayMs must be >= 0, got ${policy.retryDelayMs}`,
    );
  }
  let closed = false;
  const body = (texts: readonly string[]) =>
    options.format === "tei"
      ? { inputs: texts, truncate: options.truncate ?? true }
      : { input: texts, ...(options.model ? { model: options.model } : {}) };
  return {
    modelId: options.model ?? `${options.format}@${url}`,
    async classify(texts, signal) {
      if (closed) throw new IsaraError("failed_precondition", `classifier at ${url} is closed`);
      const out: Classification[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        const reply = await postJson(url, body(batch), policy, signal);
        const maps = readReply(options.format, reply, batch.length);
        if (maps === undefined || maps.length !== batch.length) {
          throw new IsaraError(
            "internal",
            `POST ${url} did not answer in the ${options.format} format with ${batch.length} results; check \`format\` and the URL`,
            { url, reply: JSON.stringify(reply).slice(0, 300) },
          );
        }
        for (const scores of maps) out.push({ scores });
      }
      return out;
    },
    async close() {
      closed = true;
    },
  };
}
