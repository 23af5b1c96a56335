import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./fake-openai-server.js";
import { createOpenAiLlm } from "./openai-llm.js";

const PROMPT = "BEGINNING OF CONVERSATION: USER: Is the sky green? ASSISTANT:";

/** An echo answer as vLLM writes it: the prompt's tokens (first without a logprob), then the continuation's. */
function echoed(continuation: readonly [string, number][]) {
  const promptTokens: [string, number | null][] = [
    ["BEGINNING OF CONVERSATION: USER:", null],
    [" Is the sky green?", -7],
    [" ASSISTANT:", -0.5],
  ];
  const all = [...promptTokens, ...continuation];
  let offset = 0;
  const text_offset = all.map(([text]) => {
    const at = offset;
    offset += text.length;
    return at;
  });
  return {
    json: {
      choices: [
        {
          text: all.map(([t]) => t).join(""),
          logprobs: {
            tokens: all.map(([t]) => t),
            token_logprobs: all.map(([, lp]) => lp),
            text_offset,
            top_logprobs: null,
          },
          finish_reason: "length",
        },
      ],
    },
  };
}

describe("likelihoods over an OpenAI-compatible server", () => {
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await startFakeOpenAiServer({ models: ["smollm2", "round-1-adapter"] });
  });
  afterEach(() => server.close());

  it("asks for an echo with logprobs and sums the continuation's tokens (vLLM)", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    server.enqueue(
      echoed([
        [" No", -0.25],
        [".", -0.5],
      ]),
      echoed([[" Yes", -3]]),
    );
    const scores = await llm.scoreContinuations({
      prompt: PROMPT,
      continuations: [" No.", " Yes"],
      adapter: "round-1-adapter",
    });
    assert.deepEqual(scores, [
      { logprob: -0.75, tokens: 2 },
      { logprob: -3, tokens: 1 },
    ]);
    assert.deepEqual(server.requests[0]?.body, {
      model: "round-1-adapter",
      prompt: `${PROMPT} No.`,
      max_tokens: 0,
      echo: true,
      logprobs: 1,
      temperature: 0,
    });
    await llm.close();
  });

  it("a server that ignores echo (llama.cpp's server) is a failed_precondition naming the feature", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    server.enqueue({ json: { choices: [{ text: "", finish_reason: "length" }] } });
    await assert.rejects(
      llm.scoreContinuations({ prompt: PROMPT, continuations: [" No."] }),
      (err) =>
        isIsaraError(err, "failed_precondition") && /no prompt log-probabilities.*echo/.test(err.message),
    );
    await llm.close();
  });

  it("a server that refuses the fields (400) is a failed_precondition too", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    server.enqueue({ status: 400, json: { error: { message: "echo is not supported" } } });
    await assert.rejects(
      llm.scoreContinuations({ prompt: PROMPT, continuations: [" No."] }),
      (err) => isIsaraError(err, "failed_precondition") && /echo is not supported/.test(err.message),
    );
    await llm.close();
  });
});
