import { availableParallelism } from "node:os";
import { basename, resolve } from "node:path";
import { IsaraError } from "@isara/core";

/** Configuration of {@link createLlamaLlm}. Only `modelPath` is required. */
export interface LlamaLlmOptions {
  /** Any GGUF model file llama.cpp can run (the default one is fetched by infra/fetch-models.sh). */
  readonly modelPath: string;
  /**
   * GGUF LoRA adapter applied when a request names none; leave it out to use the base model then.
   * A request's own `adapter` always wins.
   */
  readonly adapterPath?: string;
  /** Tokens each sequence holds, prompt plus completion (default: 4096, or less if the model was trained shorter). */
  readonly contextSize?: number;
  /** Completions run at once, one llama.cpp sequence each (default 2). */
  readonly parallelism?: number;
  /**
   * CPU threads for evaluation in all (default: one per parallel completion, at most one per CPU).
   * Threads beyond the lanes go to each lane; more threads than free cores slows llama.cpp badly.
   */
  readonly threads?: number;
  /** Most adapters (the base model counts as one) that keep llama.cpp contexts at once (default 4). */
  readonly maxAdapters?: number;
  /** Name of the model in lineage (default: the file name without `.gguf`). */
  readonly modelId?: string;
  /**
   * Read special-token markup in prompts (e.g. ChatML's `<|im_start|>`) as the model's control tokens,
   * as vLLM and llama.cpp's server do, so a prompt rendered with the model's chat template means what
   * the template says (default false: a prompt is plain text, so seed data can never inject control tokens).
   */
  readonly specialTokens?: boolean;
  /**
   * Attention in single precision throughout: an F32 key/value cache and no flash attention (whose CPU
   * kernel rounds queries and keys to F16). Slower and larger; for checking log-probabilities against
   * a float32 reference implementation, where the F16 rounding alone moves a token's log-probability
   * by about 1e-3 (default false: llama.cpp's F16 cache and flash attention, as served).
   */
  readonly f32Attention?: boolean;
}

/** {@link LlamaLlmOptions} checked and completed with defaults; paths are absolute. */
export interface ResolvedLlamaLlmOptions {
  readonly modelPath: string;
  readonly adapterPath: string | undefined;
  readonly contextSize: number | undefined;
  readonly parallelism: number;
  readonly threads: number;
  readonly maxAdapters: number;
  /** Contexts per adapter that decode concurrently: min(parallelism, threads). */
  readonly lanes: number;
  /** Threads of each lane: threads / lanes, at least 1. */
  readonly threadsPerLane: number;
  /** Sequences of each lane: parallelism / lanes, rounded up. */
  readonly sequencesPerLane: number;
  readonly modelId: string;
  readonly specialTokens: boolean;
  readonly f32Attention: boolean;
}

/** Default context when the caller names none; enough for the ISARA prompt budget (2000) plus answers. */
export const DEFAULT_CONTEXT_SIZE = 4096;

/**
 * Checks every option, fills in defaults and splits the work into lanes. Completions are spread over
 * `min(parallelism, threads)` contexts of one thread or more each rather than batched into one context
 * using every thread: on a 2-core machine, two 1-thread contexts made about 3x the samples per second
 * of one 2-thread context with two sequences (SmolLM2-135M, 64-token completions; ggml's threads wait
 * on each other after every layer, which costs more than a small model's matrix work saves). For the
 * same reason a lane gets one thread unless `threads` asks for more: one completion on 2 threads ran
 * slower than on 1 there, and under load from other processes far slower.
 *
 * All problems are reported at once as one `invalid_argument` error whose details list them, so a
 * bad config is fixed in one go.
 */
export function resolveLlamaLlmOptions(options: LlamaLlmOptions): ResolvedLlamaLlmOptions {
  const problems: string[] = [];
  const path = (name: string, value: unknown): string | undefined => {
    if (typeof value === "string" && value.trim() !== "") return resolve(value);
    problems.push(`${name} must be a non-empty file path, got ${JSON.stringify(value)}`);
    return undefined;
  };
  const integer = (
    name: string,
    value: number | undefined,
    min: number,
    max: number,
    fallback: number,
  ): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    return value;
  };
  const modelPath = path("modelPath", options.modelPath);
  const adapterPath =
    options.adapterPath === undefined ? undefined : path("adapterPath", options.adapterPath);
  const contextSize =
    options.contextSize === undefined
      ? undefined
      : integer("contextSize", options.contextSize, 32, 1 << 20, 0);
  const parallelism = integer("parallelism", options.parallelism, 1, 64, 2);
  const threads = integer("threads", options.threads, 1, 1024, Math.min(parallelism, availableParallelism()));
  const maxAdapters = integer("maxAdapters", options.maxAdapters, 1, 64, 4);
  if (options.modelId !== undefined && options.modelId.trim() === "")
    problems.push("modelId must not be empty");
  if (problems.length > 0 || modelPath === undefined) {
    throw new IsaraError("invalid_argument", `invalid LLM options: ${problems.join("; ")}`, { problems });
  }
  const lanes = Math.min(parallelism, threads);
  return {
    modelPath,
    adapterPath,
    contextSize,
    parallelism,
    threads,
    maxAdapters,
    lanes,
    threadsPerLane: Math.max(1, Math.floor(threads / lanes)),
    sequencesPerLane: Math.ceil(parallelism / lanes),
    modelId: options.modelId ?? basename(modelPath).replace(/\.gguf$/i, ""),
    specialTokens: options.specialTokens === true,
    f32Attention: options.f32Attention === true,
  };
}
