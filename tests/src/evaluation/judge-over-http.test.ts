/**
 * The HTTP adapters and the judges against a real OpenAI-compatible server with a real model: the
 * project's llama.cpp server (packages/llm-server) serving SmolLM2-135M-Instruct on a loopback port.
 * This is the path a user takes with vLLM or a hosted judge; only the model behind the URL differs.
 * Asserts behaviour, not judgement quality: a 135M judge's opinions mean little.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createFilterChain, type EvalItem, filterSettingsSchema, runFilterChain } from "@isara/core";
import { createJudgeScorer, createPairwiseJudge, createSampleJudge, RUBRICS } from "@isara/evaluators";
import { createOpenAiChat, createOpenAiLlm } from "@isara/llm-backends/openai";
import { createLlamaLlm, defaultModelPath, type LlamaLlm, MODEL_PATH_ENV } from "@isara/llm-llama";
import { createChatFormatter, createLlmServerApp, readChatTemplate } from "@isara/llm-server";

const MODEL = defaultModelPath();
const SKIP = existsSync(MODEL)
  ? false
  : `needs the SmolLM2 GGUF at ${MODEL}, which is not there; run infra/fetch-models.sh (or set ${MODEL_PATH_ENV})`;

const items: EvalItem[] = [
  { id: "a", prompt: "What is the capital of France?", correct: ["Paris"], incorrect: ["Lyon"] },
  { id: "b", prompt: "How many legs does a spider have?", correct: ["Eight"], incorrect: ["Six"] },
];

describe("judges and the HTTP Llm adapter over a real OpenAI-compatible server", { skip: SKIP }, () => {
  let llm: LlamaLlm | undefined;
  let close = async () => {};
  let url = "";

  before(async () => {
    llm = await createLlamaLlm({ modelPath: MODEL, contextSize: 1024, parallelism: 2, specialTokens: true });
    const template = await readChatTemplate(MODEL);
    assert.ok(template, "SmolLM2's GGUF carries its chat template");
    const app = createLlmServerApp({
      llm,
      tokenizer: llm,
      modelName: "smollm2",
      chatFormatter: createChatFormatter(template),
    });
    url = await app.listen({ host: "127.0.0.1", port: 0 });
    close = () => app.close();
  });
  after(async () => {
    await close();
    await llm?.close();
  });

  test("createOpenAiLlm completes greedily and deterministically through /v1/completions", async () => {
    const remote = createOpenAiLlm({ baseUrl: url, model: "smollm2", parallelism: 2 });
    const request = {
      prompt: "BEGINNING OF CONVERSATION: USER: What is the capital of France? ASSISTANT:",
      maxTokens: 12,
      temperature: 0,
      topP: 1,
      repetitionPenalty: 1,
      seed: 0,
      stop: ["USER:"],
    };
    const first = await remote.complete(request);
    const second = await remote.complete(request);
    assert.match(first.text, /Paris/);
    assert.equal(second.text, first.text, "temperature 0 gives the same text twice");
    assert.ok(first.tokens > 0 && first.tokens <= 12);
    await assert.rejects(remote.complete({ ...request, adapter: "no-such-adapter" }), /no-such-adapter/);
    await remote.close();
  });

  test("the quality judge and the pairwise judge run end to end and account for every judgement", async () => {
    const chat = createOpenAiChat({ baseUrl: url, model: "smollm2", parallelism: 2 });
    const scorer = createJudgeScorer({ chat, rubric: RUBRICS.quality });
    const answers = ["The capital of France is Paris.", "A spider has eight legs."];
    const scored = await scorer.score(items.map((item, i) => ({ item, answer: answers[i] ?? "" })));
    const parsed = scored.perItem.filter((p) => p.scores.judge_score !== undefined).length;
    assert.equal(
      parsed + (scored.metrics.judge_unparsed ?? 0),
      items.length,
      "every item is parsed or counted unparsed",
    );
    for (const p of scored.perItem) {
      assert.equal(p.notes?.judge_quality_rubric, "quality@1");
      assert.equal(p.notes?.judge_quality_model, "smollm2");
      assert.ok((p.notes?.judge_quality_reply ?? "").length > 0, "the judge's own words are kept");
    }
    const pairwise = createPairwiseJudge({ chat, rubric: RUBRICS.pairwise, seed: 7 });
    const result = await pairwise.compare(items.slice(0, 1), answers.slice(0, 1), ["Lyon."]);
    assert.equal(result.judgements.length, 2, "the item is judged in both orders");
    assert.equal(result.wins + result.losses + result.ties + result.unparsed, result.judgements.length);
    await chat.close();
  });

  test("the judge-score filter rates training samples through the endpoint and records every rating", async () => {
    const chat = createOpenAiChat({ baseUrl: url, model: "smollm2", parallelism: 2 });
    const judge = createSampleJudge({ chat });
    assert.equal(judge.ref, "smollm2 with quality@1");
    // minScore 1 keeps every readable rating, so what is rejected here is only an unreadable reply.
    const [filter] = createFilterChain(
      { filters: [{ name: "judge-score", minScore: 1 }], filter: filterSettingsSchema.parse({}) },
      undefined,
      { judge },
    );
    assert.ok(filter);
    const candidates = [
      {
        slot: 0,
        prompt: "What is the capital of France?",
        response: "The capital of France is Paris.",
        promptDemos: [],
      },
      {
        slot: 1,
        prompt: "How many legs does a spider have?",
        response: "A spider has eight legs.",
        promptDemos: [],
      },
    ];
    const results = await runFilterChain(candidates, [filter], { earlier: [] });
    assert.equal(results.length, 2);
    for (const r of results) {
      const [verdict] = r.verdicts;
      assert.equal(verdict?.filter, "judge-score");
      assert.match(verdict?.reason ?? "", /^smollm2 with quality@1 (rated \d+\/10: |gave no rating: )/);
      if (verdict?.accepted) assert.ok((verdict.score ?? 0) >= 1 && (verdict.score ?? 0) <= 10);
    }
    await chat.close();
  });
});
