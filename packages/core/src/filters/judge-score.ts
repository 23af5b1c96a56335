import { z } from "zod";
import { IsaraError } from "../errors.js";
import type { SampleJudge } from "../ports.js";
import { defineFilter } from "./definition.js";
import type { CandidateFilter } from "./filter.js";

/** Name of the {@link createJudgeScoreFilter} filter in verdicts. */
export const JUDGE_SCORE = "judge-score";

/**
 * At most `limit` calls of `fn` in flight; the rest wait in order. The chain judges many candidates
 * at once, and a judge endpoint serves only so many requests.
 */
function limited<A extends unknown[], R>(limit: number, fn: (...args: A) => Promise<R>) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (...args: A): Promise<R> => {
    // A finished call hands its slot to the next waiter directly, so no newcomer slips in between.
    if (running >= limit) await new Promise<void>((go) => waiting.push(go));
    else running++;
    try {
      return await fn(...args);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * Rejects a pair a judge model rates below `minScore` on its scale: the rules before it see form
 * (leaks, gibberish, cut answers, drift off the question); a judge sees whether the answer is true
 * and helpful, which a small model's fluent nonsense ("No, but the answer is yes") fails. A reply the
 * judge wrote without a readable rating is rejected too, with its reason: a sample nobody vouched
 * for is not trained on. The score is the rating; the reason quotes the judge's and its ref.
 */
export function createJudgeScoreFilter(judge: SampleJudge, minScore: number): CandidateFilter {
  if (minScore < judge.min || minScore > judge.max) {
    throw new IsaraError(
      "invalid_argument",
      `judge-score's minScore ${minScore} is off the judge's ${judge.min}-${judge.max} scale; give one on it`,
    );
  }
  const rate = limited(Math.max(1, judge.parallelism), (prompt: string, answer: string) =>
    judge.rate(prompt, answer),
  );
  return {
    name: JUDGE_SCORE,
    scope: "candidate",
    async check(candidate) {
      const { rating, reason } = await rate(candidate.prompt, candidate.response);
      if (rating === null) return { accepted: false, reason: `${judge.ref} gave no rating: ${reason}` };
      const text = `${judge.ref} rated ${rating}/${judge.max}: ${reason}`;
      return rating < minScore
        ? { accepted: false, reason: `${text} (under ${minScore})`, score: rating }
        : { accepted: true, reason: `${text} (at least ${minScore})`, score: rating };
    },
  };
}

/**
 * The registry's `judge-score` filter: `{"name": "judge-score", "minScore": 6}`. It needs a judge,
 * so a chain that names it runs only where one is configured (`missingFilterPorts` refuses it
 * elsewhere when the run is created). Not in any preset: a judge is a service a run must be given.
 */
export const judgeScoreFilter = defineFilter({
  name: JUDGE_SCORE,
  settings: z.object({
    /**
     * Lowest rating kept, on the quality rubric's 1–10 scale (the rubric every runner's judge uses),
     * so an off-scale value is refused when the domain is parsed, not at round 1's filter pass.
     */
    minScore: z.number().min(1).max(10).default(6),
  }),
  needs: ["judge"],
  create: ({ minScore }, ports) => {
    if (ports.judge === undefined) {
      throw new IsaraError("failed_precondition", `filter "${JUDGE_SCORE}" was built without a judge`);
    }
    return createJudgeScoreFilter(ports.judge, minScore);
  },
});
