/**
 * Runs several {@link AnswerScorer}s over the same answers and merges what they report into one
 * result. Used by the answering evaluator and by anything that re-scores stored answers, so both
 * merge the same way and refuse the same collisions.
 */
import { type EvalSampleResult, IsaraError } from "@isara/core";
import type { AnsweredItem, AnswerScorer, ScoreProgress } from "./answer-scorer.js";
import { throwIfCancelled } from "./cancellation.js";

/** A per-sample result with the scorers' notes (judge reasons, rubric and model ids) kept beside the scores. */
export interface ScoredSample extends EvalSampleResult {
  readonly notes?: Readonly<Record<string, string>>;
}

/** Merged metrics of all scorers plus one merged sample per answer, in input order. */
export interface ScoredAnswers {
  readonly metrics: Readonly<Record<string, number>>;
  readonly samples: readonly ScoredSample[];
}

/**
 * Refuses a scorer list that cannot be merged: none at all, two scorers with one name, or two that
 * declare the same metric. Called at construction so a bad combination fails before any model runs.
 */
export function checkScorers(scorers: readonly AnswerScorer[]): void {
  if (scorers.length === 0) {
    throw new IsaraError("invalid_argument", "an evaluator needs at least one scorer; pass `scorers: [...]`");
  }
  const names = new Set<string>();
  const metricOwner = new Map<string, string>();
  for (const scorer of scorers) {
    if (names.has(scorer.name)) {
      throw new IsaraError(
        "invalid_argument",
        `two scorers are both named "${scorer.name}"; their results would overwrite each other. Give one a different name`,
      );
    }
    names.add(scorer.name);
    for (const metric of scorer.metricNames ?? []) {
      const owner = metricOwner.get(metric);
      if (owner !== undefined) throw collision("metric", metric, owner, scorer.name);
      metricOwner.set(metric, scorer.name);
    }
  }
}

function collision(kind: string, key: string, first: string, second: string): IsaraError {
  return new IsaraError(
    "invalid_argument",
    `scorers "${first}" and "${second}" both report the ${kind} "${key}"; give one of them a metricPrefix`,
  );
}

/** Copies `from` into `into`, refusing keys another scorer already wrote. */
function mergeInto<V>(
  into: Record<string, V>,
  owners: Map<string, string>,
  from: Readonly<Record<string, V>>,
  scorer: string,
  kind: string,
): void {
  for (const [key, value] of Object.entries(from)) {
    const owner = owners.get(key);
    if (owner !== undefined && owner !== scorer) throw collision(kind, key, owner, scorer);
    owners.set(key, scorer);
    into[key] = value;
  }
}

/**
 * Runs `scorers` one after another over `answers` and merges metrics, per-item scores and notes.
 * Progress counts answers scored over all scorers (`answers.length × scorers.length`). A key written
 * by two scorers is an error, never a silent overwrite.
 */
export async function scoreAnswers(
  scorers: readonly AnswerScorer[],
  answers: readonly AnsweredItem[],
  onProgress?: ScoreProgress,
  signal?: AbortSignal,
): Promise<ScoredAnswers> {
  checkScorers(scorers);
  const n = answers.length;
  const total = n * scorers.length;
  const metrics: Record<string, number> = {};
  const metricOwners = new Map<string, string>();
  const scoreOwners = new Map<string, string>();
  const noteOwners = new Map<string, string>();
  const scores = answers.map((): Record<string, number> => ({}));
  const notes = answers.map((): Record<string, string> => ({}));
  let reported = 0;
  const report = (done: number): void => {
    if (done <= reported) return;
    reported = done;
    onProgress?.(done, total);
  };
  for (const [s, scorer] of scorers.entries()) {
    throwIfCancelled(signal);
    const base = s * n;
    const progress: ScoreProgress = (done, of) =>
      report(base + (of === n ? done : Math.round((done * n) / of)));
    const result = await scorer.score(answers, progress, signal);
    if (result.perItem.length !== n) {
      throw new IsaraError(
        "internal",
        `scorer "${scorer.name}" returned ${result.perItem.length} per-item scores for ${n} answers`,
      );
    }
    mergeInto(metrics, metricOwners, result.metrics, scorer.name, "metric");
    result.perItem.forEach((item, i) => {
      mergeInto(scores[i] ?? {}, scoreOwners, item.scores, scorer.name, "per-item score");
      if (item.notes) mergeInto(notes[i] ?? {}, noteOwners, item.notes, scorer.name, "note");
    });
    report(base + n);
  }
  const samples = answers.map(({ item, answer }, i): ScoredSample => {
    const itemNotes = notes[i] ?? {};
    return {
      id: item.id,
      prompt: item.prompt,
      answer,
      scores: scores[i] ?? {},
      ...(Object.keys(itemNotes).length > 0 ? { notes: itemNotes } : {}),
    };
  });
  return { metrics, samples };
}
