/**
 * Likelihood scoring on the real default model, SmolLM2-135M-Instruct (Q4_1 GGUF from
 * infra/fetch-models.sh): sensible log-probabilities, the same numbers whichever continuation comes
 * first (the prompt cache is reused, never polluted), and the adapter applied as for completions.
 * Skips, saying why, when the model is not cached. The numeric cross-check against transformers is
 * tests/src/metrics/mc2.cross-check.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { readGgufFileInfo } from "node-llama-cpp";
import { createLlamaLlm, type LlamaLlm } from "./llama-llm.js";
import { defaultModelPath, MODEL_PATH_ENV } from "./model-cache.js";
import { type TinyLlamaShape, writeTinyLoraGguf } from "./tiny-llama-gguf.js";

const MODEL = defaultModelPath();
const SKIP = existsSync(MODEL)
  ? false
  : `needs the SmolLM2 GGUF at ${MODEL}, which is not there; run infra/fetch-models.sh (or set ${MODEL_PATH_ENV})`;

const PROMPT = "BEGINNING OF CONVERSATION: USER: What is the capital of France? ASSISTANT:";
const CONTINUATIONS = [" Paris.", " The capital of France is Paris.", " London.", " zebra quantum"];

describe("SmolLM2-135M-Instruct likelihoods", () => {
  let llm: LlamaLlm;
  let dir = "";
  before(async () => {
    if (SKIP !== false) return;
    llm = await createLlamaLlm({ modelPath: MODEL, contextSize: 512 });
    dir = await mkdtemp(join(tmpdir(), "isara-smollm2-score-"));
  });
  after(async () => {
    await llm?.close();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  test("the right answer is more likely than a wrong one, and nonsense far less", {
    skip: SKIP,
  }, async () => {
    const [paris, sentence, london, nonsense] = await llm.scoreContinuations({
      prompt: PROMPT,
      continuations: CONTINUATIONS,
    });
    assert.ok(paris && sentence && london && nonsense);
    assert.deepEqual(
      [paris.tokens, sentence.tokens, london.tokens, nonsense.tokens],
      CONTINUATIONS.map((c) => llm.countTokens(c)),
    );
    for (const s of [paris, sentence, london, nonsense])
      assert.ok(s.logprob < 0 && Number.isFinite(s.logprob));
    assert.ok(paris.logprob > london.logprob + 1, `${paris.logprob} vs ${london.logprob}`);
    assert.ok(nonsense.logprob < london.logprob - 10);
  });

  test("each continuation scores the same alone, in any order, with the prompt reused", {
    skip: SKIP,
  }, async () => {
    const together = await llm.scoreContinuations({ prompt: PROMPT, continuations: CONTINUATIONS });
    const reversed = await llm.scoreContinuations({
      prompt: PROMPT,
      continuations: [...CONTINUATIONS].reverse(),
    });
    const alone = await llm.scoreContinuations({ prompt: PROMPT, continuations: [CONTINUATIONS[2] ?? ""] });
    together.forEach((s, i) => {
      const r = reversed[CONTINUATIONS.length - 1 - i];
      assert.ok(
        r && Math.abs(s.logprob - r.logprob) < 1e-6,
        `continuation ${i}: ${s.logprob} vs ${r?.logprob}`,
      );
    });
    assert.ok(Math.abs((alone[0]?.logprob ?? 0) - (together[2]?.logprob ?? 1)) < 1e-6);
    assert.deepEqual(await llm.scoreContinuations({ prompt: PROMPT, continuations: [""] }), [
      { logprob: 0, tokens: 0 },
    ]);
  });

  test("a LoRA adapter changes the likelihoods, and only where requested", { skip: SKIP }, async () => {
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
    const request = { prompt: PROMPT, continuations: CONTINUATIONS.slice(0, 2) };
    const base = await llm.scoreContinuations(request);
    const adapted = await llm.scoreContinuations({ ...request, adapter: lora });
    assert.ok(
      Math.abs((adapted[0]?.logprob ?? 0) - (base[0]?.logprob ?? 0)) > 1e-3,
      "the adapter moved nothing",
    );
    assert.deepEqual(await llm.scoreContinuations(request), base);
  });

  test("a prompt and continuation longer than the context are refused", { skip: SKIP }, async () => {
    await assert.rejects(
      llm.scoreContinuations({ prompt: PROMPT, continuations: [" word".repeat(600)] }),
      (err) => isIsaraError(err, "invalid_argument"),
    );
  });
});
