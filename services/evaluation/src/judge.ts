/**
 * The judge of the evaluation service and the evaluator it leads to. With a judge, every answer is
 * scored by the reference metric AND by one judge scorer per configured rubric, the way `isara
 * compare` scores stored answers; without one, the service runs the plain reference evaluator, so
 * metrics, per-question results and the evaluator name in completion records stay what they were.
 */
import type { ChatModel, Evaluator } from "@isara/core";
import {
  type AnswerSettings,
  createAnsweringEvaluator,
  createJudgeScorer,
  createReferenceEvaluator,
  createReferenceScorer,
  type SingleAnswerRubric,
} from "@isara/evaluators";
import type { Logger } from "@isara/kit";
import { openJudgeChat } from "@isara/llm-backends/judge";
import type { JudgeConfig } from "./judge-env.js";

/** A judge model and the rubrics it scores every answer with. */
export interface Judge {
  /** The judge model; whoever opened it closes it. */
  readonly chat: ChatModel;
  /** In the order their scorers run; each rubric id once (scorer names and metrics must not collide). */
  readonly rubrics: readonly SingleAnswerRubric[];
}

/**
 * Opens the judge of `config` over its OpenAI-compatible chat endpoint. Nothing connects until the
 * first judgement; transient HTTP failures are retried by the client and logged as warnings, and what
 * is still failing after its retries reaches the handler with its code (`unavailable` is retried
 * again by the stage, a refused request fails the evaluation with the server's reason).
 */
export function openJudge(config: JudgeConfig, logger?: Logger): Judge {
  return { chat: openJudgeChat(config, logger), rubrics: config.rubrics };
}

/**
 * The evaluator of one evaluation: the reference evaluator (named `reference-rougeL`, metrics and
 * per-item results unchanged) without a judge; with one, an answering evaluator whose scorers are the
 * reference metric followed by `judge.rubrics` in order (named `reference+judge-<id>+...`). Judge
 * metrics (`judge_score`, `judge_unparsed`, `judge_harmful_rate`, `judge_harm_unparsed`) join the
 * reference ones; each answer's judge replies, rubric and judge model are kept in its `notes`.
 */
export function evaluatorFor(settings: AnswerSettings, judge: Judge | undefined): Evaluator {
  if (judge === undefined) return createReferenceEvaluator(settings);
  return createAnsweringEvaluator({
    ...settings,
    scorers: [
      createReferenceScorer(),
      ...judge.rubrics.map((rubric) => createJudgeScorer({ chat: judge.chat, rubric })),
    ],
  });
}
