/**
 * A small deterministic embedder for tests: it hashes lower-cased words into signed buckets and
 * normalises the result (feature hashing). It stands in for the packaged embedding model where a test
 * needs stable vectors (the same text always has the same neighbours) but not their meaning, so those
 * tests run on machines without the model. Tests about similarity use the real model instead.
 *
 * The type is structural, not `@isara/core`'s `Embedder`: core's own tests use this package, so
 * testkit must not depend on core. A {@link HashEmbedderForTests} is assignable to `Embedder`.
 */

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
 * The test embedder (see the module comment), shaped like core's `Embedder`; `calls` counts `embed`
 * calls and `closed` tells whether `close` ran, so a test can check that a service used or released it.
 */
export interface HashEmbedderForTests {
  /** Always `hash-embedder-for-tests`, so a test can tell it from a real model. */
  readonly modelId: string;
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
  readonly calls: number;
  readonly closed: boolean;
}

/** Makes a {@link HashEmbedderForTests} giving `dimension`-d unit vectors (default 16). */
export function hashEmbedderForTests(dimension = 16): HashEmbedderForTests {
  let calls = 0;
  let closed = false;
  return {
    modelId: "hash-embedder-for-tests",
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
