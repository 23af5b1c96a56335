/**
 * Sample-quality figures of a set of samples: what a person reads to know whether a round's samples
 * are fit to train on, before any model is trained on them. Counting the samples a filter kept says
 * nothing about what they contain; these figures do. Each figure is a share or a mean over the set,
 * computed by the same per-text rules the quality filters apply (text-quality.ts, sentence-end.ts),
 * and the seeds are measured by the same function, so every figure has its reference beside it.
 * Reading guide: docs/sample-quality.md.
 */
import { countWords } from "./filters/words.js";
import { isUnfinished } from "./sentence-end.js";
import { hasCapsGibberish, hasRoleLeak, nonWordCount } from "./text-quality.js";
import { dot, median } from "./vector-math.js";

/** Prompt cosine from which two prompts count as near-duplicates (all-MiniLM-L6-v2: paraphrases score about 0.9). */
export const NEAR_DUPLICATE_COSINE = 0.9;

/** A sample's texts; a `Sample`, a seed pair and a candidate all fit. */
export interface QualitySample {
  readonly prompt: string;
  readonly response: string;
  /** The token limit cut the answer (a candidate says so; seeds and stored samples do not). */
  readonly truncated?: boolean;
}

/** A sample's embeddings (unit vectors) and its closest earlier prompt, for the figures that need them. */
export interface SampleVectors {
  readonly prompt: Float32Array;
  readonly answer: Float32Array;
  /** Highest cosine of the prompt to a prompt of an earlier set (seeds included); `null` when there is none. */
  readonly nearestEarlier: number | null;
}

/** Figures of one set of samples. Shares are fractions in [0, 1] of `samples` (0 for an empty set). */
export interface QualityFigures {
  readonly samples: number;
  /** Share whose prompt or answer contains a role keyword of the wrapper, in any case. */
  readonly roleLeak: number;
  /** Share whose prompt or answer has a run of capital words of 10 letters or more. */
  readonly capsGibberish: number;
  /**
   * Share whose answer stopped mid-sentence, by sentence-end.ts' `isUnfinished` (the `unfinished`
   * filter's rule): cut by the token limit without a sentence end, or without a sentence end where
   * most seed answers have one. An answer the model closed itself in the seeds' style is finished.
   */
  readonly unfinished: number;
  /** Distinct answer unigrams / all answer unigrams over the set (lowercased words): low = repetitive. */
  readonly distinct1: number;
  /** The same for bigrams within each answer. */
  readonly distinct2: number;
  /** Share of the answers' alphabetic words that are not shaped like words (text-quality.ts' `isNonWord`). */
  readonly nonWordRate: number;
  /** Median answer length in words. */
  readonly answerWords: number;
  /** `answerWords` / the seeds' median answer words; `null` without seeds. */
  readonly lengthRatio: number | null;
  /** Mean cosine of each answer's embedding to its prompt's; `null` without embeddings. */
  readonly relevance: number | null;
  /** Share whose prompt has a near-duplicate (cosine ≥ 0.9) earlier in this set; `null` without embeddings. */
  readonly nearDuplicateInSet: number | null;
  /** Share whose prompt has a near-duplicate in an earlier set (seeds included); `null` without embeddings. */
  readonly nearDuplicateEarlier: number | null;
}

/** A round's figures: its candidates, what the filters kept, and the seeds as the reference. */
export interface RoundQuality {
  readonly seeds: QualityFigures;
  readonly candidates: QualityFigures;
  readonly accepted: QualityFigures;
}

/** What {@link qualityFigures} may use beyond the texts. */
export interface QualityContext {
  /** The seeds' median answer words, for `lengthRatio`. */
  readonly seedAnswerWords?: number | null;
  /** One entry per sample, in the same order, for the embedding figures. */
  readonly vectors?: readonly SampleVectors[];
  /** Share of the seeds' answers that end a sentence (sentence-end.ts' `sentenceEndShare`), for `unfinished`. */
  readonly seedsEndSentences?: number | null;
}

function share(count: number, of: number): number {
  return of === 0 ? 0 : count / of;
}

function answerWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ""))
    .filter((w) => w !== "");
}

function distinct(samples: readonly QualitySample[]): { d1: number; d2: number } {
  const unigrams = new Set<string>();
  const bigrams = new Set<string>();
  let n1 = 0;
  let n2 = 0;
  for (const s of samples) {
    const words = answerWords(s.response);
    for (const [i, w] of words.entries()) {
      unigrams.add(w);
      n1++;
      if (i > 0) {
        bigrams.add(`${words[i - 1]} ${w}`);
        n2++;
      }
    }
  }
  return { d1: share(unigrams.size, n1), d2: share(bigrams.size, n2) };
}

function nearDuplicatesInSet(vectors: readonly SampleVectors[]): number {
  let count = 0;
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    if (v === undefined) continue;
    for (let j = 0; j < i; j++) {
      const u = vectors[j];
      if (u !== undefined && dot(u.prompt, v.prompt) >= NEAR_DUPLICATE_COSINE) {
        count++;
        break;
      }
    }
  }
  return count;
}

/**
 * The figures of `samples` (see {@link QualityFigures}). Pure; the embedding figures are `null`
 * unless `context.vectors` gives one entry per sample.
 * @throws RangeError when `context.vectors` is given with another length than `samples`.
 */
export function qualityFigures(
  samples: readonly QualitySample[],
  context: QualityContext = {},
): QualityFigures {
  const { vectors } = context;
  if (vectors !== undefined && vectors.length !== samples.length) {
    throw new RangeError(`${vectors.length} vectors for ${samples.length} samples; give one per sample`);
  }
  const n = samples.length;
  let leaks = 0;
  let caps = 0;
  let unfinished = 0;
  let words = 0;
  let nonWords = 0;
  for (const s of samples) {
    if (hasRoleLeak(s.prompt) || hasRoleLeak(s.response)) leaks++;
    if (hasCapsGibberish(s.prompt) || hasCapsGibberish(s.response)) caps++;
    if (isUnfinished(s.response, s.truncated, context.seedsEndSentences ?? null)) unfinished++;
    const counted = nonWordCount(s.response);
    words += counted.words;
    nonWords += counted.nonWords;
  }
  const { d1, d2 } = distinct(samples);
  const medianWords = median(samples.map((s) => countWords(s.response))) ?? 0;
  const seedWords = context.seedAnswerWords ?? null;
  const embedded = vectors !== undefined && n > 0;
  return {
    samples: n,
    roleLeak: share(leaks, n),
    capsGibberish: share(caps, n),
    unfinished: share(unfinished, n),
    distinct1: d1,
    distinct2: d2,
    nonWordRate: share(nonWords, words),
    answerWords: medianWords,
    lengthRatio: seedWords === null || seedWords === 0 ? null : medianWords / seedWords,
    relevance: embedded ? vectors.reduce((sum, v) => sum + dot(v.prompt, v.answer), 0) / n : null,
    nearDuplicateInSet: embedded ? share(nearDuplicatesInSet(vectors), n) : null,
    nearDuplicateEarlier: embedded
      ? share(vectors.filter((v) => (v.nearestEarlier ?? -1) >= NEAR_DUPLICATE_COSINE).length, n)
      : null,
  };
}

/** The seeds' median answer length in words: the reference of `lengthRatio` and of the length filter. */
export function seedAnswerWords(seeds: readonly QualitySample[]): number | null {
  return median(seeds.map((s) => countWords(s.response)));
}

/** One column of a sample-quality table: the figure, its header and how it prints. */
export interface QualityColumn {
  readonly key: Exclude<keyof QualityFigures, "samples">;
  readonly header: string;
  readonly format: (value: number | null) => string;
}

const percent = (v: number | null) => (v === null ? "–" : `${(100 * v).toFixed(1)}%`);
const decimal = (v: number | null) => (v === null ? "–" : v.toFixed(2));

/**
 * The columns every quality table shows, in order (the CLI's summary, the run report, the bench): one
 * definition, so a figure reads the same wherever it is printed.
 */
export const QUALITY_COLUMNS: readonly QualityColumn[] = [
  { key: "roleLeak", header: "role leak", format: percent },
  { key: "capsGibberish", header: "caps", format: percent },
  { key: "unfinished", header: "unfinished", format: percent },
  { key: "nonWordRate", header: "non-words", format: percent },
  { key: "distinct2", header: "distinct-2", format: decimal },
  { key: "relevance", header: "relevance", format: decimal },
  { key: "nearDuplicateInSet", header: "near-dup in set", format: percent },
  { key: "nearDuplicateEarlier", header: "near-dup earlier", format: percent },
  { key: "lengthRatio", header: "length ×seeds", format: decimal },
];

/**
 * A quality table's header and rows: the seeds once (of the first round that has figures), then each
 * round's candidates and accepted set. Empty rows when no round has figures yet.
 */
export function qualityTableRows(
  rounds: readonly { readonly round: number; readonly quality: RoundQuality | null }[],
): {
  readonly header: string[];
  readonly rows: string[][];
} {
  const header = ["round", "set", "samples", ...QUALITY_COLUMNS.map((c) => c.header)];
  const row = (round: string, set: string, f: QualityFigures) => [
    round,
    set,
    String(f.samples),
    ...QUALITY_COLUMNS.map((c) => c.format(f[c.key])),
  ];
  const rows: string[][] = [];
  for (const r of rounds) {
    if (r.quality === null) continue;
    if (rows.length === 0) rows.push(row("–", "seeds", r.quality.seeds));
    rows.push(row(String(r.round), "candidates", r.quality.candidates));
    rows.push(row(String(r.round), "accepted", r.quality.accepted));
  }
  return { header, rows };
}
