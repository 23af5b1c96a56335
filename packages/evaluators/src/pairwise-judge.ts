import { type ChatModel, createRng, deriveSeed, type EvalItem, IsaraError } from "@isara/core";
import { mapPool } from "@isara/core/pipeline";
import type { ItemScore, ScoreProgress } from "./answer-scorer.js";
import { parseChoice } from "./judgement-parser.js";
import {
  type PairwiseRubric,
  type PairwiseWinner,
  renderTemplate,
  rubricRef,
  truncateNote,
} from "./rubric.js";
import { PAIRWISE_RUBRIC } from "./rubrics.js";

/** Options of {@link createPairwiseJudge}. */
export interface PairwiseJudgeOptions {
  /** The judge model. */
  readonly chat: ChatModel;
  /** Default {@link PAIRWISE_RUBRIC}. */
  readonly rubric?: PairwiseRubric;
  /** Seeds which presentation order each item is judged in first, so a comparison can be replayed. */
  readonly seed: number;
  /** Longest judge reply kept per judgement, in characters. Default 600. */
  readonly noteChars?: number;
}

/** One judge call: which side was shown as reply A, and what the judge preferred, in terms of the sides. */
export interface PairwiseJudgement {
  readonly itemId: string;
  /** `AB`: side A's answer was shown as reply A; `BA`: the sides were swapped. */
  readonly shown: "AB" | "BA";
  /** Preferred side (`A` = answersA, `B` = answersB) or a tie; absent when unparsed. */
  readonly winner?: PairwiseWinner;
  /** The judge's reply, truncated. */
  readonly reply: string;
  /** Why the reply could not be read; present only when `winner` is absent. */
  readonly problem?: string;
}

/** Outcome of comparing answers A with answers B over a set of items. */
export interface PairwiseResult {
  /** Rubric `id@version` and judge model behind every judgement. */
  readonly rubric: string;
  readonly judgeModel: string;
  /** (wins + ties / 2) / parsed judgements, for side A; absent when no judgement parsed. */
  readonly winRate?: number;
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  readonly unparsed: number;
  /** Two per item, in the order they were asked. */
  readonly judgements: readonly PairwiseJudgement[];
  /** Per item: `pairwise_win` (A's share of its parsed judgements) and `pairwise_unparsed`, with notes. */
  readonly perItem: readonly ItemScore[];
}

/** Compares two sets of answers to the same items with a judge model. */
export interface PairwiseJudge {
  compare(
    items: readonly EvalItem[],
    answersA: readonly string[],
    answersB: readonly string[],
    onProgress?: ScoreProgress,
    signal?: AbortSignal,
  ): Promise<PairwiseResult>;
}

const SWAP: Record<PairwiseWinner, PairwiseWinner> = { A: "B", B: "A", tie: "tie" };

/**
 * A pairwise judge that cannot be fooled by position bias: every item is judged twice, once with A's
 * answer shown first and once with B's, and both judgements count (a tie, or a split where each order
 * favours the side shown first, counts half). Which presentation is asked first is drawn per item from
 * `seed`, so results replay exactly. Requests run at temperature 0, up to `chat.parallelism` at once;
 * unparsed judgements are counted and left out of the win rate, never guessed.
 */
export function createPairwiseJudge(options: PairwiseJudgeOptions): PairwiseJudge {
  const { chat, seed } = options;
  const rubric = options.rubric ?? PAIRWISE_RUBRIC;
  const noteChars = options.noteChars ?? 600;
  const ref = rubricRef(rubric);
  if (!Number.isSafeInteger(seed)) {
    throw new IsaraError("invalid_argument", `pairwise judge seed must be an integer, got ${seed}`);
  }
  if ((rubric as { kind: string }).kind !== "pairwise") {
    throw new IsaraError(
      "invalid_argument",
      `rubric ${ref} judges one answer; use createJudgeScorer for it, or a pairwise rubric here`,
    );
  }
  return {
    async compare(items, answersA, answersB, onProgress, signal) {
      if (answersA.length !== items.length || answersB.length !== items.length) {
        throw new IsaraError(
          "invalid_argument",
          `pairwise comparison needs one answer per item on both sides; got ${items.length} items, ${answersA.length} answers A and ${answersB.length} answers B`,
        );
      }
      const tasks = items.flatMap((item, index) => {
        const abFirst = createRng(deriveSeed(seed, "pairwise-order", item.id)).next() < 0.5;
        const orders: ("AB" | "BA")[] = abFirst ? ["AB", "BA"] : ["BA", "AB"];
        return orders.map((shown) => ({ item, index, shown }));
      });
      let done = 0;
      const judgements = await mapPool(
        tasks,
        chat.parallelism,
        async ({ item, index, shown }): Promise<PairwiseJudgement> => {
          const a = answersA[index] ?? "";
          const b = answersB[index] ?? "";
          const user = renderTemplate(rubric.user, {
            prompt: item.prompt,
            answer_a: shown === "AB" ? a : b,
            answer_b: shown === "AB" ? b : a,
          });
          const { text } = await chat.chat(
            {
              messages: [
                { role: "system", content: rubric.system },
                { role: "user", content: user },
              ],
              maxTokens: rubric.maxTokens,
              temperature: 0,
              seed: 0,
            },
            signal,
          );
          const parsed = parseChoice(text, rubric.output);
          onProgress?.(++done, tasks.length);
          const reply = truncateNote(text, noteChars);
          if (!parsed.ok) return { itemId: item.id, shown, reply, problem: parsed.reason };
          return {
            itemId: item.id,
            shown,
            reply,
            winner: shown === "AB" ? parsed.value : SWAP[parsed.value],
          };
        },
        signal,
      );
      return summarize(ref, chat.modelId, items, judgements);
    },
  };
}

function tally(judgements: readonly PairwiseJudgement[]) {
  const count = (w: PairwiseWinner) => judgements.filter((j) => j.winner === w).length;
  const wins = count("A");
  const losses = count("B");
  const ties = count("tie");
  const parsed = wins + losses + ties;
  return { wins, losses, ties, unparsed: judgements.length - parsed, parsed };
}

function summarize(
  rubric: string,
  judgeModel: string,
  items: readonly EvalItem[],
  judgements: readonly PairwiseJudgement[],
): PairwiseResult {
  const perItem = items.map((_, index): ItemScore => {
    const own = judgements.slice(index * 2, index * 2 + 2);
    const t = tally(own);
    const notes: Record<string, string> = { pairwise_rubric: rubric, pairwise_judge: judgeModel };
    for (const j of own) notes[`pairwise_reply_${j.shown}`] = j.reply;
    notes.pairwise_first = own[0]?.shown ?? "";
    return {
      scores: {
        ...(t.parsed > 0 ? { pairwise_win: (t.wins + t.ties / 2) / t.parsed } : {}),
        pairwise_unparsed: t.unparsed,
      },
      notes,
    };
  });
  const { parsed, ...counts } = tally(judgements);
  return {
    rubric,
    judgeModel,
    ...(parsed > 0 ? { winRate: (counts.wins + counts.ties / 2) / parsed } : {}),
    ...counts,
    judgements,
    perItem,
  };
}
