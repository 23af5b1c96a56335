/**
 * A small deterministic Embedder FOR TESTS ONLY (feature hashing of lower-cased words, normalised).
 * It stands in for the packaged embedding model inside the retrieval service the tests start, where
 * stable vectors matter, not their meaning. Not exported from the package.
 */
import type { Embedder } from "@isara/core";

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The test embedder, `dimension`-d (default 16). */
export function hashEmbedderForTests(dimension = 16): Embedder {
  const vector = (text: string) => {
    const v = new Float32Array(dimension);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const h = fnv1a(word);
      v[h % dimension] = (v[h % dimension] ?? 0) + (h & 0x80000000 ? -1 : 1);
    }
    const norm = Math.hypot(...v);
    if (norm === 0) v[0] = 1;
    else for (let i = 0; i < dimension; i++) v[i] = (v[i] ?? 0) / norm;
    return v;
  };
  return {
    modelId: "hash-embedder-for-tests",
    dimension,
    embed: async (texts) => texts.map(vector),
    close: async () => {},
  };
}
