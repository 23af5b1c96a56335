/**
 * ROUGE-L, scored exactly like Google's `rouge-score` package (`rouge_scorer.RougeScorer(["rougeL"],
 * use_stemmer=False)`), because the paper's filter threshold (0.7) and the TruthfulQA numbers we compare
 * with were produced by that package; a look-alike with another tokenizer would move both. The
 * cross-check test runs the Python package on real data and requires agreement within 1e-6.
 */

/** Precision, recall and F1 of one comparison, as rouge-score's `Score` tuple. */
export interface RougeScore {
  /** LCS length over the prediction's token count. */
  readonly precision: number;
  /** LCS length over the target's token count. */
  readonly recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  readonly fmeasure: number;
}

/** The best of several ROUGE-L comparisons and which reference gave it. */
export interface RougeMax extends RougeScore {
  /** Index of the reference with the highest F1 (the first one on ties); -1 when there were none. */
  readonly index: number;
}

const NON_ALPHANUMERIC = /[^a-z0-9]+/g;
const ZERO: RougeScore = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/**
 * rouge-score's default tokenizer without stemming: lowercase, turn every run of characters outside
 * `[a-z0-9]` into a space, split, drop empty pieces. So punctuation separates tokens ("don't" gives
 * `don`, `t`), accented and non-Latin letters are dropped ("café" gives `caf`), and numbers keep their
 * digits ("3.14" gives `3`, `14`). JavaScript's `toLowerCase` and Python's `str.lower` apply the same
 * Unicode case mappings, which matters for the few non-ASCII letters that lowercase into ASCII
 * (Kelvin sign, dotted capital I).
 */
export function rougeTokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const piece of text.toLowerCase().replace(NON_ALPHANUMERIC, " ").split(" ")) {
    if (piece.length > 0) tokens.push(piece);
  }
  return tokens;
}

/**
 * Length of the longest common subsequence of two token lists: O(n·m) time, O(min(n, m)) memory
 * (one row over the shorter list), so long answers do not allocate a full table.
 */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [outer, inner] = a.length >= b.length ? [a, b] : [b, a];
  const row = new Uint32Array(inner.length + 1);
  for (const token of outer) {
    let diagonal = 0;
    for (let j = 1; j <= inner.length; j++) {
      const up = row[j] ?? 0;
      if (token === inner[j - 1]) {
        row[j] = diagonal + 1;
      } else {
        const left = row[j - 1] ?? 0;
        row[j] = Math.max(left, up);
      }
      diagonal = up;
    }
  }
  return row[inner.length] ?? 0;
}

/**
 * ROUGE-L of already tokenized texts, with rouge-score's arithmetic (same operations in the same
 * order, so results are bit-identical): all zeros when either side has no tokens.
 */
export function rougeLTokens(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return ZERO;
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

/**
 * ROUGE-L of `prediction` against `target`, equal to rouge-score's
 * `RougeScorer(["rougeL"]).score(target, prediction)["rougeL"]`. F1 is symmetric; precision and
 * recall swap when the arguments do. Texts without any `[a-z0-9]` token score 0.
 */
export function rougeL(target: string, prediction: string): RougeScore {
  return rougeLTokens(rougeTokenize(target), rougeTokenize(prediction));
}

/**
 * The best ROUGE-L F1 of `prediction` against each of `references`, equal to rouge-score's
 * `score_multi(references, prediction)` (first reference wins ties, like `np.argmax`). The prediction
 * is tokenized once, which is what makes it faster than calling {@link rougeL} in a loop. With no
 * references the result is all zeros with index -1 (nothing to match counts as no overlap), where
 * rouge-score would raise.
 */
export function rougeLMax(prediction: string, references: readonly string[]): RougeMax {
  const predicted = rougeTokenize(prediction);
  let best: RougeMax = { ...ZERO, index: -1 };
  references.forEach((reference, index) => {
    const score = rougeLTokens(rougeTokenize(reference), predicted);
    if (best.index === -1 || score.fmeasure > best.fmeasure) best = { ...score, index };
  });
  return best;
}
