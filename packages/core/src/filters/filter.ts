/**
 * The filter chain's vocabulary. A filter judges one candidate and says why; the chain runs filters,
 * stamps each decision with the filter's name (a {@link FilterVerdict}) and keeps every verdict, so
 * the run report can say how many samples each filter dropped and a person can audit any one of them.
 *
 * Two scopes keep the chain both parallel and deterministic:
 * - `candidate` filters look only at the candidate and the earlier sets. They may be async (an
 *   embedding lookup, an LLM judge) and the chain runs them for many candidates at once.
 * - `round` filters also see which candidates of this round were accepted before this one (in slot
 *   order). The chain runs them one candidate at a time, in slot order, after the candidate's
 *   `candidate`-scope verdicts are known, so "first accepted copy wins" has one answer on every run.
 */

import type { FilterVerdict } from "../sample.js";
import type { SampleVectors } from "../sample-quality.js";

/** One demo shown when the candidate's prompt was written. */
export interface DemoPrompt {
  /** Sample id of the demo, quoted in verdict reasons. */
  readonly id: string;
  readonly prompt: string;
}

/** A freshly generated `(prompt, response)` pair waiting to be judged. */
export interface FilterCandidate {
  /** Position in the round (slot i of N); the chain judges round-scope filters in this order. */
  readonly slot: number;
  readonly prompt: string;
  readonly response: string;
  /** Demos shown when the prompt was written (the ROUGE-L filter compares against these). */
  readonly promptDemos: readonly DemoPrompt[];
  /**
   * The candidate's embeddings, which the filter step computes for every candidate before the chain
   * runs: the near-duplicate and relevance filters read them (and refuse to run without them).
   */
  readonly vectors?: CandidateVectors;
  /** The model hit its token limit while answering (when the writer knows it). */
  readonly truncated?: boolean;
}

/** A candidate's embeddings and its closest earlier prompt. */
export interface CandidateVectors extends SampleVectors {
  /** Sample id of the earlier prompt `nearestEarlier` was measured to; `null` when there is none. */
  readonly nearestEarlierId: string | null;
}

/** A prompt of an earlier set (seeds are set 0); `Sample` fits this shape. */
export interface EarlierPrompt {
  readonly id: string;
  readonly setIndex: number;
  readonly prompt: string;
  /** The sample's answer; the length filter measures the seeds' (set 0) answers. */
  readonly response?: string;
}

/** What a filter decides; the chain adds the filter's name to make a {@link FilterVerdict}. */
export type FilterDecision = Omit<FilterVerdict, "filter">;

/** The earlier sets, indexed by `promptKey` (first occurrence kept). */
export interface EarlierSets {
  readonly prompts: readonly EarlierPrompt[];
  readonly byKey: ReadonlyMap<string, EarlierPrompt>;
  /** Median words of the seeds' answers (set 0 entries with a `response`); `null` when none has one. */
  readonly seedAnswerWords: number | null;
  /** Share of the seeds' answers that end a sentence; `null` when none has a `response`. */
  readonly seedsEndSentences: number | null;
}

/** What a round-scope filter sees: the earlier sets plus this round's accepted candidates so far. */
export interface RoundView<C extends FilterCandidate = FilterCandidate> {
  readonly earlier: EarlierSets;
  /** Candidates of this round with a lower slot that passed every filter, in slot order. */
  readonly accepted: readonly C[];
  /** The same, indexed by `promptKey` (first accepted occurrence). */
  readonly acceptedByKey: ReadonlyMap<string, C>;
}

/** A filter that needs only the candidate and the earlier sets; may be async. */
export interface CandidateFilter<C extends FilterCandidate = FilterCandidate> {
  /** Unique name in the chain, e.g. `rouge-l`; becomes {@link FilterVerdict.filter}. */
  readonly name: string;
  readonly scope: "candidate";
  check(candidate: C, earlier: EarlierSets): FilterDecision | Promise<FilterDecision>;
}

/** A filter whose verdict depends on what this round accepted before the candidate; may be async. */
export interface RoundFilter<C extends FilterCandidate = FilterCandidate> {
  /** Unique name in the chain; becomes {@link FilterVerdict.filter}. */
  readonly name: string;
  readonly scope: "round";
  check(candidate: C, view: RoundView<C>): FilterDecision | Promise<FilterDecision>;
}

/** A candidate-scope filter that decides synchronously (pure); the paper's filters are of this kind. */
export interface SyncCandidateFilter<C extends FilterCandidate = FilterCandidate> extends CandidateFilter<C> {
  check(candidate: C, earlier: EarlierSets): FilterDecision;
}

/** A round-scope filter that decides synchronously (pure). */
export interface SyncRoundFilter<C extends FilterCandidate = FilterCandidate> extends RoundFilter<C> {
  check(candidate: C, view: RoundView<C>): FilterDecision;
}

/** Any filter the chain can run. */
export type Filter<C extends FilterCandidate = FilterCandidate> = CandidateFilter<C> | RoundFilter<C>;
