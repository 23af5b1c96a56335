/**
 * Test support: a judge served over HTTP by the project's own OpenAI-compatible server
 * (`@isara/llm-server`) on a real llama.cpp model loaded in this process, so the service's judge
 * client, the chat endpoint and the judge scorers meet as they do in a deployment. Not exported.
 */
import type { Llm } from "@isara/core";
import { type ChatTemplate, createChatFormatter, createLlmServerApp } from "@isara/llm-server";
import type { JudgeConfig } from "../src/judge-env.js";
import { type CountingLlm, countingLlm } from "./counting-llm.js";

/** ChatML, the chat format of SmolLM2 and many instruct models; the tiny test model is given it. */
export const CHATML_TEMPLATE: ChatTemplate = {
  template:
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
};

/** A judge server listening on a loopback port. */
export interface ServedJudge {
  /** Server root, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Name the judge model is served under. */
  readonly modelName: string;
  /** Every completion the server asked of the model (one per chat request), in arrival order. */
  readonly llm: CountingLlm;
  /** The judge settings a service would be configured with to use this server. */
  config(overrides?: Partial<JudgeConfig>): JudgeConfig;
  /** Stops the server; the model stays with its owner. */
  close(): Promise<void>;
}

/**
 * Serves `llm` as the chat model `modelName`, rendering conversations with `template`; its
 * {@link ServedJudge.config} scores with `rubrics`.
 */
export async function serveJudge(
  llm: Llm,
  modelName: string,
  template: ChatTemplate,
  rubrics: JudgeConfig["rubrics"],
): Promise<ServedJudge> {
  const counted = countingLlm(llm);
  const app = createLlmServerApp({
    llm: counted,
    modelName,
    chatFormatter: createChatFormatter(template),
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    modelName,
    llm: counted,
    config: (overrides = {}) => ({
      baseUrl: url,
      model: modelName,
      apiKey: undefined,
      parallelism: 2,
      rubrics,
      ...overrides,
    }),
    close: () => app.close(),
  };
}
