import type { CandidateVectors, EarlierPrompt, Embedder, QualitySample, SampleVectors } from "../index.js";
import { dot } from "../index.js";

/** Texts embedded per call: big enough to amortise a call, under the retrieval service's 1024 per call. */
const EMBED_BATCH = 256;

/**
 * Embeds `texts` in batches; an empty text gets a zero vector without a call (an embedder may refuse
 * empty input, and an empty answer is similar to nothing).
 */
export async function embedAll(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(texts.length);
  const todo = texts.flatMap((text, i) => (text.trim() === "" ? [] : [i]));
  for (let at = 0; at < todo.length; at += EMBED_BATCH) {
    const batch = todo.slice(at, at + EMBED_BATCH);
    const vectors = await embedder.embed(batch.map((i) => texts[i] ?? ""));
    batch.forEach((i, j) => {
      out[i] = vectors[j] ?? new Float32Array(0);
    });
  }
  const dimension = todo.length > 0 ? (out[todo[0] ?? 0]?.length ?? 0) : embedder.dimension;
  for (let i = 0; i < out.length; i++) out[i] ??= new Float32Array(dimension);
  return out;
}

/** The closest of `earlier` (prompt vectors beside their prompts) to `vector`, or `null` for none. */
function nearest(
  vector: Float32Array,
  earlier: readonly EarlierPrompt[],
  vectors: readonly Float32Array[],
): { cosine: number; id: string } | null {
  let best: { cosine: number; id: string } | null = null;
  for (const [i, e] of earlier.entries()) {
    const v = vectors[i];
    if (v === undefined) continue;
    const cosine = dot(vector, v);
    if (best === null || cosine > best.cosine) best = { cosine, id: e.id };
  }
  return best;
}

/** The embeddings of one filter pass: each candidate's, and the seeds' for their quality figures. */
export interface RoundVectors {
  readonly candidates: CandidateVectors[];
  /** One per seed (set-0 entry of `earlier`) in its order; `nearestEarlier` is `null` (no earlier set). */
  readonly seeds: SampleVectors[];
}

/**
 * The embeddings of a round's candidates (prompt, answer, closest earlier prompt) and of the seeds,
 * computed once per filter pass in one batch of texts (each earlier prompt once, seed prompts
 * included): the near-duplicate and relevance filters read them, the quality figures measure them and
 * the accepted prompts are stored with them, so the pass needs nothing of the vector store but the upsert.
 */
export async function roundVectors(
  embedder: Embedder,
  candidates: readonly QualitySample[],
  earlier: readonly EarlierPrompt[],
): Promise<RoundVectors> {
  const seeds = earlier.flatMap((e, i) => (e.setIndex === 0 ? [{ at: i, response: e.response ?? "" }] : []));
  const n = candidates.length;
  const all = await embedAll(embedder, [
    ...candidates.map((c) => c.prompt),
    ...candidates.map((c) => c.response),
    ...earlier.map((e) => e.prompt),
    ...seeds.map((s) => s.response),
  ]);
  const empty = new Float32Array(0);
  const earlierVectors = all.slice(2 * n, 2 * n + earlier.length);
  const seedAnswers = all.slice(2 * n + earlier.length);
  return {
    candidates: candidates.map((_, i) => {
      const prompt = all[i] ?? empty;
      const close = nearest(prompt, earlier, earlierVectors);
      return {
        prompt,
        answer: all[n + i] ?? empty,
        nearestEarlier: close?.cosine ?? null,
        nearestEarlierId: close?.id ?? null,
      };
    }),
    seeds: seeds.map((s, j) => ({
      prompt: earlierVectors[s.at] ?? empty,
      answer: seedAnswers[j] ?? empty,
      nearestEarlier: null,
    })),
  };
}
