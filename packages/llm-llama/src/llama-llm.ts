import { resolve } from "node:path";
import {
  type Completion,
  type CompletionRequest,
  type ContinuationLikelihood,
  IsaraError,
  isIsaraError,
  type LikelihoodRequest,
  type LikelihoodScorer,
  type Llm,
  type Tokenizer,
} from "@isara/core";
import {
  getLlama,
  InsufficientMemoryError,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  LlamaLogLevel,
  type LlamaModel,
} from "node-llama-cpp";
import { ContextPool } from "./context-pool.js";
import { generate } from "./generate.js";
import { errorMessage, inspectGguf } from "./gguf-file.js";
import { linkSignals } from "./linked-signal.js";
import {
  DEFAULT_CONTEXT_SIZE,
  type LlamaLlmOptions,
  type ResolvedLlamaLlmOptions,
  resolveLlamaLlmOptions,
} from "./llama-llm-options.js";
import { checkCompletionRequest } from "./request-check.js";
import { scoreContinuations } from "./score-continuation.js";
import { Slots } from "./slots.js";

/**
 * An in-process GGUF model: the `Llm` port (LoRA-aware), its `Tokenizer`, and `LikelihoodScorer`
 * (continuation log-probabilities under the same adapter a completion would use).
 */
export interface LlamaLlm extends Llm, Tokenizer, LikelihoodScorer {
  /** Absolute path of the loaded GGUF. */
  readonly modelPath: string;
  /** Tokens each sequence holds (prompt plus completion), as requested from llama.cpp. */
  readonly contextSize: number;
}

/**
 * Loads a GGUF model with llama.cpp (node-llama-cpp's prebuilt CPU binaries; it never builds from
 * source, never downloads, never uses a GPU) and returns it as the ISARA `Llm` and `Tokenizer`.
 *
 * Why this shape: the embedded mode runs generation in process on a small CPU. Completions run
 * `parallelism` at a time, spread over concurrently decoding llama.cpp contexts ("lanes", see
 * {@link resolveLlamaLlmOptions}) so every core is busy; more requests queue in arrival order. LoRA
 * adapters are applied per llama.cpp context, so each adapter in use gets its own contexts, made on
 * first use; at most `maxAdapters` adapters keep them, the least recently used idle one is closed.
 *
 * Fails with `not_found` when the model (or default adapter) file is missing and `invalid_argument`
 * when it is not a GGUF of the right kind or the options are wrong.
 */
export async function createLlamaLlm(options: LlamaLlmOptions): Promise<LlamaLlm> {
  const config = resolveLlamaLlmOptions(options);
  const facts = await inspectGguf(config.modelPath, "model");
  if (config.adapterPath !== undefined) await inspectGguf(config.adapterPath, "adapter", facts.architecture);
  const llama = await loadLlamaCpp(config.threads);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: config.modelPath, gpuLayers: 0 });
  } catch (err) {
    await llama.dispose();
    throw new IsaraError(
      "invalid_argument",
      `llama.cpp cannot load the model ${config.modelPath} (${errorMessage(err)}); check that the file is a complete ` +
        "GGUF of an architecture this llama.cpp build supports",
      undefined,
      { cause: err },
    );
  }
  return new LlamaCppLlm(llama, model, facts.architecture, config);
}

/** llama.cpp's CPU backend from the prebuilt binaries; a platform without them fails with a clear error. */
async function loadLlamaCpp(threads: number): Promise<Llama> {
  try {
    return await getLlama({
      gpu: false,
      build: "never",
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      maxThreads: threads,
      logLevel: LlamaLogLevel.error,
    });
  } catch (err) {
    throw new IsaraError(
      "failed_precondition",
      `llama.cpp cannot start: node-llama-cpp has no working prebuilt CPU binary for ${process.platform}-${process.arch} ` +
        `(${errorMessage(err)}); reinstall the dependencies (npm ci) on a supported platform`,
      undefined,
      { cause: err },
    );
  }
}

class LlamaCppLlm implements LlamaLlm {
  readonly modelId: string;
  readonly modelPath: string;
  readonly parallelism: number;
  readonly contextSize: number;
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #architecture: string;
  readonly #config: ResolvedLlamaLlmOptions;
  readonly #slots: Slots;
  readonly #pool: ContextPool;
  /** One controller per running completion, aborted on close. */
  readonly #active = new Set<AbortController>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(llama: Llama, model: LlamaModel, architecture: string, config: ResolvedLlamaLlmOptions) {
    this.#llama = llama;
    this.#model = model;
    this.#architecture = architecture;
    this.#config = config;
    this.modelId = config.modelId;
    this.modelPath = config.modelPath;
    this.parallelism = config.parallelism;
    this.contextSize = config.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize);
    this.#slots = new Slots(config.parallelism);
    this.#pool = new ContextPool((adapter) => this.#createContext(adapter), {
      lanes: config.lanes,
      sequencesPerLane: config.sequencesPerLane,
      maxAdapters: config.maxAdapters,
    });
  }

  countTokens(text: string): number {
    this.#ensureOpen();
    return this.#model.tokenize(text, this.#config.specialTokens).length;
  }

  complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    return this.#track(this.#complete(request, signal));
  }

  /**
   * Log-probabilities of continuations (see `scoreContinuations`), on a sequence of the same adapter
   * contexts and slots as completions, so scoring and writing share the lanes and the adapter LRU.
   */
  scoreContinuations(request: LikelihoodRequest, signal?: AbortSignal): Promise<ContinuationLikelihood[]> {
    return this.#track(
      this.#onSequence(request.adapter, signal, (sequence, linked) =>
        scoreContinuations(this.#model, sequence, request, linked, this.#config.specialTokens),
      ),
    );
  }

  #track<T>(run: Promise<T>): Promise<T> {
    this.#inFlight.add(run);
    void run.then(
      () => this.#inFlight.delete(run),
      () => this.#inFlight.delete(run),
    );
    return run;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #complete(request: CompletionRequest, signal: AbortSignal | undefined): Promise<Completion> {
    this.#ensureOpen();
    checkCompletionRequest(request);
    return this.#onSequence(request.adapter, signal, (sequence, linked) =>
      generate(this.#model, sequence, request, linked, this.#config.specialTokens),
    );
  }

  /**
   * Runs `work` on a fresh sequence of `requestedAdapter`'s contexts (the default adapter when none
   * is named), holding one slot; cancelled by `signal` or by close.
   */
  async #onSequence<T>(
    requestedAdapter: string | undefined,
    signal: AbortSignal | undefined,
    work: (sequence: LlamaContextSequence, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    this.#ensureOpen();
    const requested = requestedAdapter ?? this.#config.adapterPath;
    const adapter = requested === undefined ? undefined : resolve(requested);
    const own = new AbortController();
    this.#active.add(own);
    const linked = linkSignals([signal, own.signal]);
    try {
      const release = await this.#slots.acquire(linked.signal);
      try {
        const lease = await this.#pool.lease(adapter, linked.signal);
        try {
          return await work(lease.sequence, linked.signal);
        } finally {
          await lease.release();
        }
      } finally {
        release();
      }
    } catch (err) {
      if (own.signal.aborted && !signal?.aborted && isIsaraError(err, "cancelled")) throw closedError();
      throw err;
    } finally {
      linked.dispose();
      this.#active.delete(own);
    }
  }

  async #createContext(adapter: string | undefined): Promise<LlamaContext> {
    if (adapter !== undefined) await inspectGguf(adapter, "adapter", this.#architecture);
    try {
      return await this.#model.createContext({
        contextSize: this.contextSize,
        sequences: this.#config.sequencesPerLane,
        threads: this.#config.threadsPerLane,
        failedCreationRemedy: false,
        ...(this.#config.f32Attention
          ? { flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" }
          : {}),
        ...(adapter === undefined ? {} : { lora: { adapters: [{ filePath: adapter, scale: 1 }] } }),
      });
    } catch (err) {
      if (err instanceof InsufficientMemoryError) {
        throw new IsaraError(
          "resource_exhausted",
          `not enough memory for ${this.#config.sequencesPerLane} more sequences of ${this.contextSize} tokens; ` +
            `lower parallelism, contextSize or maxAdapters (${errorMessage(err)})`,
          undefined,
          { cause: err },
        );
      }
      throw new IsaraError(
        adapter === undefined ? "internal" : "invalid_argument",
        adapter === undefined
          ? `llama.cpp could not create a context for ${this.modelPath}: ${errorMessage(err)}`
          : `llama.cpp could not apply the LoRA adapter ${adapter} (${errorMessage(err)}); check that it was made ` +
              `for ${this.modelId}`,
        undefined,
        { cause: err },
      );
    }
  }

  async #close(): Promise<void> {
    const closed = closedError();
    for (const controller of this.#active) controller.abort(closed);
    this.#slots.close(closed);
    await Promise.allSettled([...this.#inFlight]);
    await this.#pool.close();
    await this.#model.dispose();
    await this.#llama.dispose();
  }

  #ensureOpen(): void {
    if (this.#closing !== undefined) throw closedError();
  }
}

function closedError(): IsaraError {
  return new IsaraError("unavailable", "the model was closed; create a new one to run completions");
}
