import { availableParallelism } from "node:os";
import { join } from "node:path";
import { type Embedder, IsaraError } from "@isara/core";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { BatchEncoder } from "./batch-encoder.js";
import { defaultEmbedderDir } from "./model-dir.js";
import { type EmbedderManifest, readManifest } from "./model-manifest.js";

/** How to load and run the local embedding model. */
export interface OnnxEmbedderOptions {
  /** Folder installed by `infra/fetch-embedder.sh`; default `<ISARA cache>/models/all-MiniLM-L6-v2`. */
  readonly modelDir?: string;
  /** Texts per forward pass; default 32 (larger batches pad more and gain little on a CPU). */
  readonly batchSize?: number;
  /** CPU threads for one forward pass; default all available cores. */
  readonly threads?: number;
}

/**
 * The Embedder port in process: a BERT sentence encoder (all-MiniLM-L6-v2 by default) exported to
 * ONNX and run by onnxruntime-node on the CPU. It loads from local files only, never from a model
 * hub. Vectors are the model's mean-pooled, L2-normalised sentence embeddings (cosine similarity =
 * dot product), identical within 1e-6 to sentence-transformers on the same text, so the embedded and
 * the distributed wiring (a TEI or vLLM server with the same model) retrieve the same demos.
 * Texts are sorted by length before batching to waste little work on padding; results come back in
 * input order. Calls are queued so concurrent callers do not oversubscribe the CPU.
 */
export class OnnxEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly session: InferenceSession,
    private readonly encoder: BatchEncoder,
    private readonly manifest: EmbedderManifest,
    private readonly batchSize: number,
  ) {
    this.modelId = manifest.modelId;
    this.dimension = manifest.dimension;
  }

  /** Loads the model; `not_found` (with the install command) when it is not installed. */
  static async load(options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
    const modelDir = options.modelDir ?? defaultEmbedderDir();
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new IsaraError("invalid_argument", `batchSize must be a positive integer, got ${batchSize}`);
    }
    const threads = options.threads ?? availableParallelism();
    const manifest = await readManifest(modelDir);
    const encoder = await BatchEncoder.load(modelDir, manifest.maxTokens);
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(join(modelDir, manifest.onnx), {
        executionProviders: ["cpu"],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
      });
    } catch (err) {
      throw new IsaraError(
        "failed_precondition",
        `cannot load the embedding model ${join(modelDir, manifest.onnx)}: ${(err as Error).message}; ` +
          "reinstall with `bash infra/fetch-embedder.sh --force`",
        undefined,
        { cause: err },
      );
    }
    if (!session.outputNames.includes(manifest.output)) {
      await session.release();
      throw new IsaraError(
        "failed_precondition",
        `the embedding model in ${modelDir} has no output '${manifest.output}'; reinstall with ` +
          "`bash infra/fetch-embedder.sh --force`",
      );
    }
    return new OnnxEmbedder(session, encoder, manifest, batchSize);
  }

  /** One unit-length vector per text, in input order. Long texts are truncated to the model's limit. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.closed) throw new IsaraError("failed_precondition", "the embedder is closed; load it again");
    if (!Array.isArray(texts)) throw new IsaraError("invalid_argument", "embed takes an array of strings");
    texts.forEach((t, i) => {
      if (typeof t !== "string")
        throw new IsaraError("invalid_argument", `texts[${i}] is ${typeof t}, not a string`);
    });
    const run = this.queue.then(() => this.embedNow(texts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for queued work, then frees the model; later calls fail with `failed_precondition`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.session.release();
  }

  private async embedNow(texts: readonly string[]): Promise<Float32Array[]> {
    const ids = texts.map((t) => this.encoder.ids(t));
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a]?.length ?? 0) - (ids[b]?.length ?? 0));
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const members = order.slice(start, start + this.batchSize);
      const vectors = await this.forward(members.map((i) => ids[i] ?? []));
      members.forEach((i, k) => {
        out[i] = vectors[k] as Float32Array;
      });
    }
    return out;
  }

  private async forward(idLists: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const batch = BatchEncoder.pad(idLists);
    const dims = [batch.rows, batch.length];
    const result = await this.session.run(
      {
        input_ids: new Tensor("int64", batch.inputIds, dims),
        attention_mask: new Tensor("int64", batch.attentionMask, dims),
        token_type_ids: new Tensor("int64", batch.tokenTypeIds, dims),
      },
      [this.manifest.output],
    );
    const tensor = result[this.manifest.output];
    const data = tensor?.data;
    const d = this.dimension;
    if (!(data instanceof Float32Array) || data.length !== batch.rows * d) {
      throw new IsaraError(
        "internal",
        `the embedding model returned ${tensor?.dims.join("x") ?? "nothing"}, expected ${batch.rows}x${d}`,
      );
    }
    return Array.from({ length: batch.rows }, (_, r) => data.slice(r * d, (r + 1) * d));
  }
}

/** Loads the local embedding model as an Embedder (same as {@link OnnxEmbedder.load}), for wiring code. */
export function openLocalEmbedder(options: OnnxEmbedderOptions = {}): Promise<OnnxEmbedder> {
  return OnnxEmbedder.load(options);
}
