/**
 * The feature-hashing embedder: deterministic vectors from a text's words, with no model files. It
 * hashes lower-cased words (letters and digits) into signed buckets and normalises the result. It is
 * NOT semantic: texts are near only when they share words, so demos it retrieves are no better than
 * word overlap. It is right where vectors must be stable (the same text always has the same
 * neighbours) but retrieval quality does not matter: tests on machines without the packaged model,
 * and smoke runs of the retrieval service (`EMBEDDER_BACKEND=hashing`). Real runs use
 * {@link openLocalEmbedder}.
 */
import { type Embedder, IsaraError } from "@isara/core";

/** The `modelId` of every hashing embedder, so lineage and logs tell its vectors from a real model's. */
export const HASHING_EMBEDDER_MODEL_ID = "feature-hashing";

/** Vector size when none is given: small, so tests stay fast and their scores readable. */
export const HASHING_EMBEDDER_DEFAULT_DIMENSION = 16;

/** Largest vector size accepted; far beyond any use, it only stops a typo from allocating gigabytes. */
export const HASHING_EMBEDDER_MAX_DIMENSION = 65_536;

/** FNV-1a, 32-bit. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Unit vector of `text`'s hashed words (or the first axis for a text without words). */
function hashVector(text: string, dimension: number): Float32Array {
  const v = new Float32Array(dimension);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = fnv1a(word);
    v[h % dimension] = (v[h % dimension] ?? 0) + (h & 0x80000000 ? -1 : 1);
  }
  const norm = Math.hypot(...v);
  if (norm === 0) v[0] = 1;
  else for (let i = 0; i < dimension; i++) v[i] = (v[i] ?? 0) / norm;
  return v;
}

/**
 * A hashing embedder (see the module comment). Besides the `Embedder` port it counts `embed` calls
 * (`calls`) and tells whether `close` ran (`closed`), so a test can check that a service used or
 * released the embedder it was given.
 */
export interface HashingEmbedder extends Embedder {
  /** Always {@link HASHING_EMBEDDER_MODEL_ID}. */
  readonly modelId: string;
  /** Calls of `embed` so far. */
  readonly calls: number;
  /** Whether `close` ran (it releases nothing: there is nothing to release). */
  readonly closed: boolean;
}

/** How to build a {@link HashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Length of the vectors, 1 to {@link HASHING_EMBEDDER_MAX_DIMENSION}; default {@link HASHING_EMBEDDER_DEFAULT_DIMENSION}. */
  readonly dimension?: number;
}

/**
 * Makes a {@link HashingEmbedder} giving `dimension`-d unit vectors. Synchronous and free: there is
 * no model to load.
 * @throws IsaraError `invalid_argument` when `dimension` is not a whole number in range.
 */
export function createHashingEmbedder(options: HashingEmbedderOptions = {}): HashingEmbedder {
  const dimension = options.dimension ?? HASHING_EMBEDDER_DEFAULT_DIMENSION;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > HASHING_EMBEDDER_MAX_DIMENSION) {
    throw new IsaraError(
      "invalid_argument",
      `hashing embedder dimension ${dimension} is not a whole number from 1 to ${HASHING_EMBEDDER_MAX_DIMENSION}`,
    );
  }
  let calls = 0;
  let closed = false;
  return {
    modelId: HASHING_EMBEDDER_MODEL_ID,
    dimension,
    async embed(texts) {
      calls++;
      return texts.map((t) => hashVector(t, dimension));
    },
    async close() {
      closed = true;
    },
    get calls() {
      return calls;
    },
    get closed() {
      return closed;
    },
  };
}
