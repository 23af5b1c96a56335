/**
 * Ports: everything the ISARA core needs from the outside world, as interfaces. The embedded wiring
 * and the distributed services plug different adapters into the same ports; the core never does I/O.
 * Every adapter owns resources and has `close()`.
 */
import type { CompletionSampling, EvalItem } from "./domain.js";
import type { Sample } from "./sample.js";

/** Something that holds resources and must be released on shutdown. */
export interface Closeable {
  close(): Promise<void>;
}

/** One text completion request. */
export interface CompletionRequest extends CompletionSampling {
  readonly prompt: string;
  /** Seed for this completion's sampling, so a run is reproducible where the backend allows it. */
  readonly seed: number;
  /** LoRA adapter to apply (a path for in-process backends, a served model name for HTTP ones); none = base. */
  readonly adapter?: string;
  /** Strings at which generation stops; they are not part of the text. */
  readonly stop?: readonly string[];
  /**
   * Where generation should stop in the text written so far (its index, or -1 to go on), for stops
   * that exact strings cannot express, e.g. a role keyword in any case. In-process backends check it
   * after every token and cut the text there (finish reason `stop`); HTTP backends cannot send a
   * function and ignore it, so callers still cut the returned text themselves.
   */
  readonly stopAt?: (text: string) => number;
  /**
   * How many of the latest tokens (prompt tail and generated) `repetitionPenalty` applies to; 0 =
   * every token of the prompt and the generation (the rule of Hugging Face transformers).
   */
  readonly repetitionWindow?: number;
}

/** A finished completion. */
export interface Completion {
  readonly text: string;
  /** Tokens the model wrote. */
  readonly tokens: number;
  /** Why generation ended. */
  readonly finishReason: "stop" | "length";
}

/** A language model that writes completions, with or without a LoRA adapter. */
export interface Llm extends Closeable {
  /** Identifies the base model in lineage, e.g. `SmolLM2-135M-Instruct-Q8_0`. */
  readonly modelId: string;
  /** How many completions the backend runs at once; callers keep this many in flight. */
  readonly parallelism: number;
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion>;
}

/** What to score: each continuation's likelihood right after the same prompt. */
export interface LikelihoodRequest {
  /** The text every continuation follows, tokenized as a completion prompt is (same start-of-text rule). */
  readonly prompt: string;
  /** Texts scored one by one after `prompt`; each is tokenized on its own, so the prompt's tokens never change. */
  readonly continuations: readonly string[];
  /** LoRA adapter to apply, as in {@link CompletionRequest.adapter}; none = base. */
  readonly adapter?: string;
}

/** How likely the model finds one continuation after the prompt. */
export interface ContinuationLikelihood {
  /** Natural-log probability of the continuation's tokens given the prompt: the sum over its tokens. */
  readonly logprob: number;
  /** Tokens the continuation was scored as. */
  readonly tokens: number;
}

/**
 * A model that can say how likely a text is, not only write one. Likelihood metrics (TruthfulQA MC2,
 * chosen-over-rejected preference) see differences far smaller than a greedy answer's ROUGE-L can,
 * because they read the whole distribution instead of one sampled path. An `Llm` may also implement
 * this; callers check with `canScoreLikelihood`. A backend that turns out unable to (an HTTP server
 * without prompt log-probabilities) rejects with `failed_precondition`, naming what the server lacks.
 */
export interface LikelihoodScorer {
  /** One result per continuation, in order. */
  scoreContinuations(request: LikelihoodRequest, signal?: AbortSignal): Promise<ContinuationLikelihood[]>;
}

/** Counts tokens the way the generating model does, so demos can be fitted into a budget. */
export interface Tokenizer {
  countTokens(text: string): number;
}

/** Turns texts into unit-length vectors (cosine similarity = dot product). */
export interface Embedder extends Closeable {
  readonly modelId: string;
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** Which samples a store operation looks at. */
export interface SampleQuery {
  readonly run: string;
  /** Restrict to one set (0 = seeds). */
  readonly setIndex?: number;
  /** Restrict to one round. */
  readonly round?: number;
}

/** A sample found by similarity, with its cosine similarity to the query. */
export interface ScoredSample {
  readonly sample: Sample;
  readonly score: number;
}

/** Stores samples with their prompt embeddings and lineage; the basis of demo retrieval. */
export interface VectorStore extends Closeable {
  /** Inserts or replaces samples by id (idempotent). `vectors[i]` embeds `samples[i].prompt`. */
  upsert(samples: readonly Sample[], vectors: readonly Float32Array[]): Promise<void>;
  /** The `k` samples matching `query` most similar to `vector`, best first. */
  search(vector: Float32Array, k: number, query: SampleQuery): Promise<ScoredSample[]>;
  /** Every sample matching `query`, in (setIndex, slot) order. */
  list(query: SampleQuery): Promise<Sample[]>;
  /**
   * Removes every sample of `run` with its embedding and resolves with how many there were; other
   * runs are untouched, and a run with nothing stored resolves 0 (so a retried cleanup is harmless).
   * A deleted run must not leave its prompts and answers behind in a store that outlives it.
   */
  deleteRun(run: string): Promise<number>;
}

/** What a training run is asked to do. Field names match the trainer's JSON spec. */
export interface TrainSpec {
  /** Base model: a path or a name the trainer backend resolves. */
  readonly baseModel: string;
  /** JSONL of `{prompt, response}` rows to train on. */
  readonly datasetPath: string;
  /** Adapter of the previous round to continue from; none = start from the base model. */
  readonly previousAdapter?: string;
  readonly method: "lora" | "full";
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly maxSequenceLength: number;
  readonly loraRank: number;
  readonly loraAlpha: number;
  readonly loraDropout: number;
  readonly seed: number;
  /** Folder the trainer writes its outputs to. */
  readonly outputDir: string;
}

/** One progress report from the trainer. */
export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  /** Training tokens per second. */
  readonly tokensPerSecond: number;
}

/** What a finished training run produced. */
export interface TrainResult {
  /** PEFT adapter folder (safetensors), as vLLM loads it. */
  readonly adapterDir: string;
  /** The same adapter as a GGUF LoRA, as llama.cpp loads it. */
  readonly ggufAdapterPath?: string;
  readonly steps: number;
  readonly finalLoss: number;
  /** Loss per step, for the report. */
  readonly losses: readonly number[];
}

/**
 * Which run and round a training belongs to. Backends that schedule the training elsewhere (a
 * Kubernetes Job) name and label it with this, so a person can find it and a cancelled run's
 * trainings can be removed; a local subprocess needs none of it.
 */
export interface TrainContext {
  readonly runId: string;
  readonly round: number;
}

/** Trains a model on a dataset (LoRA by default). */
export interface Trainer extends Closeable {
  train(
    spec: TrainSpec,
    onProgress?: (p: TrainProgress) => void,
    signal?: AbortSignal,
    context?: TrainContext,
  ): Promise<TrainResult>;
}

/** Which model an evaluation scores: the base model, optionally with an adapter. */
export interface ModelRef {
  readonly baseModel: string;
  readonly adapter?: string;
}

/** Score of one eval item, kept for per-sample logs. */
export interface EvalSampleResult {
  readonly id: string;
  readonly prompt: string;
  readonly answer: string;
  readonly scores: Readonly<Record<string, number>>;
  /** What scorers said beside the numbers, e.g. a judge's reason with its rubric and model. */
  readonly notes?: Readonly<Record<string, string>>;
}

/** Aggregate metrics plus the per-item details. */
export interface EvalResult {
  readonly metrics: Readonly<Record<string, number>>;
  readonly samples: readonly EvalSampleResult[];
}

/** Scores a model on a domain's eval set. */
export interface Evaluator {
  readonly name: string;
  evaluate(
    model: ModelRef,
    items: readonly EvalItem[],
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<EvalResult>;
}

/** One message of a chat conversation, in the OpenAI chat format judges are served with. */
export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

/** A chat request. Judges ask with temperature 0 so a verdict is a property of the judge, not of luck. */
export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  readonly temperature: number;
  /** Sampling seed where the backend honours one. */
  readonly seed?: number;
}

/** A chat model that answers a conversation: the judge of the judge-based evaluators. */
export interface ChatModel extends Closeable {
  /** Identifies the judge model in logs and reports. */
  readonly modelId: string;
  /** How many requests the backend serves at once; callers keep this many in flight. */
  readonly parallelism: number;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<{ readonly text: string }>;
}

/** What a judge said about one sample: its rating, or `null` when the reply held none it could read. */
export interface SampleRating {
  readonly rating: number | null;
  /** The judge's reason (or why its reply could not be read), shortened for a filter verdict. */
  readonly reason: string;
}

/**
 * Rates one `(prompt, answer)` sample on a fixed scale with a fixed rubric: the `judge-score`
 * filter's port, served by a judge model behind an OpenAI-compatible endpoint
 * (`@isara/evaluators`' `createSampleJudge`). Only configured runs have one.
 */
export interface SampleJudge {
  /** `model` and `rubric@version`, recorded in every verdict so a rating can be traced. */
  readonly ref: string;
  /** The rating scale, e.g. 1–10. */
  readonly min: number;
  readonly max: number;
  /** Requests the judge serves at once; the filter keeps no more than this many in flight. */
  readonly parallelism: number;
  rate(prompt: string, answer: string, signal?: AbortSignal): Promise<SampleRating>;
}

/** What a classifier says about one text: a score in [0, 1] per label. */
export interface Classification {
  readonly scores: Readonly<Record<string, number>>;
}

/** A text classifier served elsewhere, e.g. a moderation model behind HTTP, for safety metrics. */
export interface TextClassifier extends Closeable {
  readonly modelId: string;
  /** One classification per text, in order. */
  classify(texts: readonly string[], signal?: AbortSignal): Promise<Classification[]>;
}

/** Persists run state so a run resumes after a crash. Saves are atomic: a reader sees old or new, never half. */
export interface RunStore<S> {
  load(runId: string): Promise<S | undefined>;
  save(runId: string, state: S): Promise<void>;
  list(): Promise<string[]>;
}

/** Stores a run's artifacts (datasets, reports, adapters) by relative key. Writes are atomic. */
export interface ArtifactStore {
  write(key: string, data: string | Uint8Array): Promise<void>;
  read(key: string): Promise<Uint8Array | undefined>;
  exists(key: string): Promise<boolean>;
  /** Where an artifact lives, for tools that need a path or URL (the trainer, llama.cpp). */
  locate(key: string): string;
}

/** Source of time, injectable so the core stays deterministic in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Source of randomness in [0, 1); seedable implementations make runs reproducible. */
export interface Rng {
  next(): number;
}
