import { basename } from "node:path";
import {
  type EvalItem,
  type EvalSampleResult,
  IsaraError,
  pairedBootstrap,
  RUN_MODE_TABLE,
  type RunMode,
} from "@isara/core";
import type { ComparisonRow } from "@isara/embedded/report";
import type { AnsweredItem, AnswerScorer, PairwiseJudge } from "@isara/evaluators";
import type { ComparedRun } from "./compared-run.js";

/** Row order of the table: the baselines in the paper's order, then ISARA by round. */
const ORDER: readonly RunMode[] = ["base", "sft-seeds", "icl-random", "icl-knn", "one-shot", "isara"];

/** One evaluated model before scoring: where its answers are and what data it trained on. */
export interface RowSource {
  readonly label: string;
  readonly mode: RunMode;
  readonly round: number;
  readonly answers: readonly EvalSampleResult[];
  readonly written: number;
  readonly accepted: number;
  readonly rejectedBy: Readonly<Record<string, number>>;
}

/**
 * The models to compare: the base model once (round 0 of the `base` run, else of the first run),
 * then every later evaluated round of every run. Counts add up over rounds 1..t, since ISARA round t's
 * model has seen the data of all of them. Also checks that every run's round 0 gave the same answers:
 * greedy decoding of the same model must, and a difference would mean the runs are not comparable.
 */
export function rowSources(runs: readonly ComparedRun[]): { sources: RowSource[]; notes: string[] } {
  const sorted = [...runs].sort((a, b) => ORDER.indexOf(a.mode) - ORDER.indexOf(b.mode));
  const baseRun = sorted[0];
  const baseAnswers = baseRun?.answers.get(0);
  if (!baseRun || !baseAnswers) {
    throw new IsaraError(
      "invalid_argument",
      "no run has a round-0 (base model) evaluation to compare against",
    );
  }
  const sources: RowSource[] = [
    {
      label: "base model",
      mode: "base",
      round: 0,
      answers: baseAnswers,
      written: 0,
      accepted: 0,
      rejectedBy: {},
    },
  ];
  const notes: string[] = [];
  const baseById = new Map(baseAnswers.map((a) => [a.id, a.answer]));
  const perMode = (mode: RunMode) => runs.filter((r) => r.mode === mode).length;
  const differing: string[] = [];
  for (const run of sorted) {
    const own = run.answers.get(0) ?? [];
    const diff = own.filter((a) => baseById.get(a.id) !== a.answer).length;
    if (diff > 0) differing.push(`${run.dir} (${diff} of ${own.length})`);
    let written = 0;
    let accepted = 0;
    const rejectedBy: Record<string, number> = {};
    for (const r of run.metrics.rounds) {
      if (r.round === 0) continue;
      written += r.written ?? 0;
      accepted += r.accepted ?? 0;
      for (const [k, n] of Object.entries(r.rejectedBy ?? {})) rejectedBy[k] = (rejectedBy[k] ?? 0) + n;
      const answers = run.answers.get(r.round);
      if (!answers) continue;
      const name = run.mode === "isara" ? `ISARA round ${r.round}` : RUN_MODE_TABLE[run.mode].paperRow;
      sources.push({
        // Two runs of one mode (e.g. ISARA with two N) are told apart by their folder names.
        label: perMode(run.mode) > 1 ? `${name} (${basename(run.dir)})` : name,
        mode: run.mode,
        round: r.round,
        answers,
        written,
        accepted,
        rejectedBy: { ...rejectedBy },
      });
    }
  }
  notes.push(
    differing.length === 0
      ? `Round 0 (the base model, greedy) gave identical answers in all ${runs.length} runs, as it must.`
      : `Round 0 answers differ from the base run's in ${differing.join(", ")}: those runs did not start from the same model or settings.`,
  );
  return { sources, notes };
}

/** Pairs each eval item with a row's answer to it; a missing answer means a damaged run folder. */
export function answered(items: readonly EvalItem[], source: RowSource): AnsweredItem[] {
  const byId = new Map(source.answers.map((a) => [a.id, a.answer]));
  return items.map((item) => {
    const answer = byId.get(item.id);
    if (answer === undefined) {
      throw new IsaraError("not_found", `"${source.label}" has no stored answer to eval item ${item.id}`);
    }
    return { item, answer };
  });
}

/** The metric whose per-item difference to the base model gets a bootstrap interval. */
export const HEADLINE = "rougeL_diff";

/** How each row is scored. Judge-based scorers may see only the first `judgeItems` items, to bound their cost. */
export interface RowScoring {
  readonly scorers: readonly AnswerScorer[];
  readonly judgeScorers: readonly AnswerScorer[];
  readonly pairwise?: PairwiseJudge;
  readonly judgeItems: number;
  readonly onProgress?: (what: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Scores every row from its stored answers with the same scorers, so runs made at different times or
 * versions compare fairly; pairwise judgements compare each row with the base model
 * (`judge_win_rate_vs_base`).
 */
export async function scoreRows(
  items: readonly EvalItem[],
  sources: readonly RowSource[],
  s: RowScoring,
): Promise<ComparisonRow[]> {
  const rows: ComparisonRow[] = [];
  const judged = items.slice(0, s.judgeItems);
  const base = sources[0];
  let baseHeadline: number[] | undefined;
  for (const source of sources) {
    s.onProgress?.(source.label);
    const metrics: Record<string, number> = {};
    let headline: number[] | undefined;
    for (const scorer of s.scorers) {
      const result = await scorer.score(answered(items, source), undefined, s.signal);
      Object.assign(metrics, result.metrics);
      if (result.metrics[HEADLINE] !== undefined)
        headline = result.perItem.map((p) => p.scores[HEADLINE] ?? 0);
    }
    if (source === base) baseHeadline = headline;
    for (const scorer of s.judgeScorers) {
      Object.assign(metrics, (await scorer.score(answered(judged, source), undefined, s.signal)).metrics);
    }
    if (s.pairwise && base && source !== base) {
      const result = await s.pairwise.compare(
        judged,
        answered(judged, source).map((a) => a.answer),
        answered(judged, base).map((a) => a.answer),
        undefined,
        s.signal,
      );
      if (result.winRate !== undefined) metrics.judge_win_rate_vs_base = result.winRate;
    }
    const { label, mode, round, written, accepted, rejectedBy } = source;
    const vsBase =
      source !== base && headline && baseHeadline
        ? pairedBootstrap(headline, baseHeadline, { seed: 1 })
        : undefined;
    rows.push({ label, mode, round, metrics, written, accepted, rejectedBy, ...(vsBase ? { vsBase } : {}) });
  }
  return rows;
}
