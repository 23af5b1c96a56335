import type { ChatModel } from "@isara/core";
import { createOpenAiChat } from "@isara/llm-backends/openai";

/** A judge served behind an OpenAI-compatible chat endpoint (`--judge-url`, `--judge-model`). */
export interface JudgeOptions {
  readonly url: string;
  readonly model: string;
  readonly apiKey?: string | undefined;
  /** Judge only the first N eval items (judging costs two to four calls per item and model). */
  readonly items?: number | undefined;
  readonly parallel: number;
}

/** The judge's chat client, for `isara compare`'s scorers and `isara run`'s `judge-score` filter alike. */
export function openJudgeChat(o: JudgeOptions): ChatModel {
  return createOpenAiChat({
    baseUrl: o.url,
    model: o.model,
    parallelism: o.parallel,
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
  });
}
