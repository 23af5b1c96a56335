import type { ChatModel } from "@isara/core";
import { type Parsed, parseChoice, parseRating } from "./judgement-parser.js";
import { renderTemplate, type SingleAnswerRubric } from "./rubric.js";

/** Reads the rubric's verdict out of the judge's reply. */
export function parseVerdict(rubric: SingleAnswerRubric, text: string): Parsed<number> {
  return rubric.output.kind === "rating"
    ? parseRating(text, rubric.output)
    : parseChoice(text, rubric.output);
}

/**
 * Asks the judge what a single-answer rubric asks about one `(prompt, answer)`: the rubric's system
 * and user messages, temperature 0 and seed 0 (so a verdict is a property of the judge, not of a
 * draw). The one way both the eval scorer and the `judge-score` filter put a question to a judge.
 */
export async function askJudge(
  chat: ChatModel,
  rubric: SingleAnswerRubric,
  prompt: string,
  answer: string,
  signal?: AbortSignal,
): Promise<{ readonly text: string; readonly verdict: Parsed<number> }> {
  const { text } = await chat.chat(
    {
      messages: [
        { role: "system", content: rubric.system },
        { role: "user", content: renderTemplate(rubric.user, { prompt, answer }) },
      ],
      maxTokens: rubric.maxTokens,
      temperature: 0,
      seed: 0,
    },
    signal,
  );
  return { text, verdict: parseVerdict(rubric, text) };
}
