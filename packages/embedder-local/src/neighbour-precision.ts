/** Retrieval quality of an embedder on labelled texts, against what random neighbours would give. */
export interface NeighbourPrecision {
  /** Number of texts. */
  readonly n: number;
  /** Mean share of each text's k nearest neighbours (itself excluded) that carry its label, per k asked. */
  readonly precision: Readonly<Record<number, number>>;
  /** The same share for neighbours drawn at random: mean of (same-label others) / (all others). */
  readonly chance: number;
}

/**
 * Leave-one-out precision@k by cosine similarity: for each vector, do its nearest neighbours share
 * its label more often than chance? This is what demo retrieval needs from an embedder (similar
 * prompts first), measured on data with known groups, e.g. TruthfulQA questions and their
 * categories. Vectors must be unit length (cosine = dot product), as every Embedder returns them.
 * Ties are broken by index so the figure is reproducible.
 */
export function neighbourPrecision(
  vectors: readonly Float32Array[],
  labels: readonly string[],
  ks: readonly number[] = [1, 5],
): NeighbourPrecision {
  const n = vectors.length;
  if (labels.length !== n) throw new RangeError(`got ${n} vectors but ${labels.length} labels`);
  if (n < 2) throw new RangeError("need at least two vectors");
  const maxK = Math.max(...ks);
  if (!ks.every((k) => Number.isInteger(k) && k >= 1 && k < n))
    throw new RangeError(`each k must be in 1..${n - 1}`);
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const hits = new Map<number, number>(ks.map((k) => [k, 0]));
  let chance = 0;
  for (let i = 0; i < n; i++) {
    const vi = vectors[i] as Float32Array;
    const scored: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const vj = vectors[j] as Float32Array;
      let dot = 0;
      for (let d = 0; d < vi.length; d++) dot += (vi[d] as number) * (vj[d] as number);
      scored.push([dot, j]);
    }
    scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    const same = scored.slice(0, maxK).map(([, j]) => (labels[j] === labels[i] ? 1 : 0));
    for (const k of ks)
      hits.set(k, (hits.get(k) ?? 0) + same.slice(0, k).reduce<number>((a, b) => a + b, 0) / k);
    chance += ((counts.get(labels[i] as string) ?? 1) - 1) / (n - 1);
  }
  return {
    n,
    precision: Object.fromEntries(ks.map((k) => [k, (hits.get(k) ?? 0) / n])),
    chance: chance / n,
  };
}
