/**
 * A small deterministic Embedder FOR TESTS ONLY: hashes lower-cased words into signed buckets and
 * normalises the result (feature hashing). It stands in for the packaged embedding model inside the
 * retrieval service the tests start, where the tests need stable vectors (the same prompt always has
 * the same neighbours), not their meaning. Not exported from the package.
 */
import type { Embedder } from "@isara/core";

/** FNV-1a, 32-bit. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Unit vector of `text`'s hashed words (the first axis for a text without words). */
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

/** The test embedder, `dimension`-d (default 16). */
export function hashEmbedderForTests(dimension = 16): Embedder {
  return {
    modelId: "hash-embedder-for-tests",
    dimension,
    embed: async (texts) => texts.map((t) => hashVector(t, dimension)),
    close: async () => {},
  };
}
