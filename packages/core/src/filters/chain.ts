import { IsaraError } from "../errors.js";
import type { FilterVerdict } from "../sample.js";
import { seedAnswerWords } from "../sample-quality.js";
import { sentenceEndShare } from "../sentence-end.js";
import type { EarlierPrompt, EarlierSets, Filter, FilterCandidate, FilterDecision } from "./filter.js";
import { promptKey } from "./words.js";

/** What the chain knows beyond the candidates themselves. */
export interface FilterChainContext {
  /** Prompts of every earlier set, seeds (set 0) included; `Sample[]` fits. */
  readonly earlier: readonly EarlierPrompt[];
}

/** How the chain runs. */
export interface FilterChainOptions {
  /** Candidates whose candidate-scope filters run at once (default 8); matters only for async filters. */
  readonly concurrency?: number;
  /** Stops the chain between candidates; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A candidate with every verdict of the chain, in filter order. */
export interface FilteredCandidate<C extends FilterCandidate = FilterCandidate> {
  readonly candidate: C;
  /** One verdict per filter, in the order the filters were given. */
  readonly verdicts: readonly FilterVerdict[];
  /** `true` when every verdict accepted the candidate. */
  readonly accepted: boolean;
}

const DEFAULT_CONCURRENCY = 8;

/**
 * Runs every filter on every candidate and returns the candidates in slot order, each with all its
 * verdicts. Every filter is evaluated even after a rejection, so the report can count each reason
 * (a sample that is both too short and a copy shows up under both).
 *
 * Order and determinism: candidate-scope filters run first, up to `concurrency` candidates at a time
 * (their verdicts cannot depend on timing). Then, in slot order, each candidate's round-scope filters
 * run against the candidates accepted so far, and the candidate joins that list when all its verdicts
 * accept. So when two slots share a prompt, the lower slot that passes everything is kept, on every
 * run. A filter that throws rejects the whole call (nothing is half-judged); retry the call.
 */
export async function runFilterChain<C extends FilterCandidate>(
  candidates: readonly C[],
  filters: readonly Filter<C>[],
  context: FilterChainContext,
  options: FilterChainOptions = {},
): Promise<FilteredCandidate<C>[]> {
  checkFilters(filters);
  const ordered = inSlotOrder(candidates);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new IsaraError("invalid_argument", `concurrency must be a positive integer, got ${concurrency}`);
  }
  const { signal } = options;
  const earlier = indexEarlier(context.earlier);

  const decided = await mapWithConcurrency(ordered, concurrency, async (candidate) => {
    signal?.throwIfAborted();
    return Promise.all(
      filters.map((f) => (f.scope === "candidate" ? f.check(candidate, earlier) : undefined)),
    );
  });

  const accepted: C[] = [];
  const acceptedByKey = new Map<string, C>();
  const view = { earlier, accepted, acceptedByKey };
  const results: FilteredCandidate<C>[] = [];
  for (const [i, candidate] of ordered.entries()) {
    signal?.throwIfAborted();
    const decisions = decided[i] ?? [];
    const verdicts: FilterVerdict[] = [];
    for (const [j, filter] of filters.entries()) {
      // Candidate-scope decisions were made above; only round-scope filters run here.
      const decision =
        filter.scope === "round" ? await filter.check(candidate, view) : (decisions[j] as FilterDecision);
      verdicts.push(stamp(filter.name, decision));
    }
    const ok = verdicts.every((v) => v.accepted);
    if (ok) {
      accepted.push(candidate);
      const key = promptKey(candidate.prompt);
      if (!acceptedByKey.has(key)) acceptedByKey.set(key, candidate);
    }
    results.push({ candidate, verdicts, accepted: ok });
  }
  return results;
}

function stamp(filter: string, decision: FilterDecision): FilterVerdict {
  const verdict: FilterVerdict = { filter, accepted: decision.accepted, reason: decision.reason };
  return decision.score === undefined ? verdict : { ...verdict, score: decision.score };
}

function checkFilters(filters: readonly Filter<FilterCandidate>[]): void {
  const seen = new Set<string>();
  for (const f of filters) {
    if (seen.has(f.name)) {
      throw new IsaraError(
        "invalid_argument",
        `two filters are named "${f.name}"; give each filter in a chain its own name so verdicts stay traceable`,
      );
    }
    seen.add(f.name);
  }
}

function inSlotOrder<C extends FilterCandidate>(candidates: readonly C[]): C[] {
  const slots = new Set<number>();
  for (const c of candidates) {
    if (!Number.isInteger(c.slot) || c.slot < 0) {
      throw new IsaraError(
        "invalid_argument",
        `candidate slot must be a non-negative integer, got ${c.slot}`,
      );
    }
    if (slots.has(c.slot)) {
      throw new IsaraError(
        "invalid_argument",
        `two candidates have slot ${c.slot}; each candidate of a round needs its own slot`,
      );
    }
    slots.add(c.slot);
  }
  return [...candidates].sort((a, b) => a.slot - b.slot);
}

function indexEarlier(prompts: readonly EarlierPrompt[]): EarlierSets {
  const byKey = new Map<string, EarlierPrompt>();
  for (const p of prompts) {
    const key = promptKey(p.prompt);
    if (!byKey.has(key)) byKey.set(key, p);
  }
  const seeds = prompts.flatMap((p) =>
    p.setIndex === 0 && p.response !== undefined ? [{ prompt: p.prompt, response: p.response }] : [],
  );
  return {
    prompts,
    byKey,
    seedAnswerWords: seedAnswerWords(seeds),
    seedsEndSentences: sentenceEndShare(seeds.map((s) => s.response)),
  };
}

async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
