import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Completion,
  type CompletionRequest,
  type ContinuationLikelihood,
  type EvalItem,
  IsaraError,
  isIsaraError,
  type LikelihoodRequest,
  type LikelihoodScorer,
  type Llm,
} from "@isara/core";
import { createReferenceEvaluator } from "./reference-evaluator.js";

/** FAKE model: answers "I do not know." and scores a reference by its length (shorter = likelier). */
class ScoringLlm implements Llm, LikelihoodScorer {
  readonly modelId = "fake-scoring-llm";
  readonly parallelism = 2;
  readonly scored: LikelihoodRequest[] = [];
  constructor(private readonly failWith?: IsaraError) {}
  async complete(_request: CompletionRequest): Promise<Completion> {
    return { text: " I do not know.", tokens: 4, finishReason: "stop" };
  }
  async scoreContinuations(request: LikelihoodRequest): Promise<ContinuationLikelihood[]> {
    if (this.failWith) throw this.failWith;
    this.scored.push(request);
    return request.continuations.map((c) => ({ logprob: -c.length, tokens: c.length }));
  }
  async close(): Promise<void> {}
}

const sampling = { maxTokens: 16, temperature: 0, topP: 1, repetitionPenalty: 1 };
const items: EvalItem[] = [
  { id: "short-truth", prompt: "Is the sky green?", correct: ["No"], incorrect: ["Yes, it is"] },
  { id: "long-truth", prompt: "Is fire cold?", correct: ["No, fire is hot"], incorrect: ["Yes"] },
  { id: "no-incorrect", prompt: "Say hi", correct: ["Hi"], incorrect: [] },
];

describe("likelihood metrics in the answering evaluator", () => {
  it("adds mc2 and likelihood_acc, as means and per item, under the model's adapter", async () => {
    const llm = new ScoringLlm();
    const result = await createReferenceEvaluator({ llm, sampling }).evaluate(
      { baseModel: "m", adapter: "round-1.gguf" },
      items,
    );
    // " No" (3 chars) vs " Yes, it is" (11): mc2 = e^-3 / (e^-3 + e^-11); the second item the reverse.
    const first = Math.exp(-3) / (Math.exp(-3) + Math.exp(-11));
    const second = Math.exp(-16) / (Math.exp(-16) + Math.exp(-4));
    const [a, b, c] = result.samples;
    assert.ok(Math.abs((a?.scores.mc2 ?? 0) - first) < 1e-12);
    assert.equal(a?.scores.likelihood_acc, 1);
    assert.ok(Math.abs((b?.scores.mc2 ?? 0) - second) < 1e-12);
    assert.equal(b?.scores.likelihood_acc, 0);
    assert.equal(c?.scores.mc2, undefined, "an item without incorrect references has no MC2");
    assert.ok(Math.abs((result.metrics.mc2 ?? 0) - (first + second) / 2) < 1e-12);
    assert.equal(result.metrics.likelihood_acc, 0.5);
    assert.equal(result.metrics.likelihood_items, 2);
    assert.ok(result.metrics.rougeL_diff !== undefined, "the reference metrics stay");
    assert.equal(llm.scored.length, 2);
    assert.deepEqual(llm.scored[0], {
      prompt: "BEGINNING OF CONVERSATION: USER: Is the sky green? ASSISTANT:",
      continuations: [" No", " Yes, it is"],
      adapter: "round-1.gguf",
    });
  });

  it("ICL: the references are scored after the same demos the answer was written from", async () => {
    const llm = new ScoringLlm();
    const prompts: string[] = [];
    const answered: string[] = [];
    const recording: Llm & LikelihoodScorer = {
      modelId: llm.modelId,
      parallelism: llm.parallelism,
      complete: async (request) => {
        answered.push(request.prompt);
        return llm.complete(request);
      },
      scoreContinuations: (request) => llm.scoreContinuations(request),
      close: () => llm.close(),
    };
    let draws = 0;
    // Random demos drawn afresh on every call: scoring must reuse the draw the answer used.
    const demos = async (question: string) => {
      prompts.push(question);
      draws++;
      return [{ prompt: `Demo ${draws}?`, response: `Reply ${draws}.` }];
    };
    await createReferenceEvaluator({ llm: recording, sampling, demos }).evaluate({ baseModel: "m" }, items);
    assert.equal(draws, 3, "one draw per item");
    const scoredPrompts = llm.scored.map((r) => r.prompt);
    assert.equal(scoredPrompts.length, 2);
    for (const prompt of scoredPrompts) {
      assert.match(
        prompt,
        /^BEGINNING OF CONVERSATION: USER: Demo \d\? ASSISTANT: Reply \d\. END OF CONVERSATION/,
      );
      assert.ok(answered.includes(prompt), "scored after the very prompt an answer was written from");
    }
  });

  it("a backend that cannot score leaves the metrics out and says why in every sample", async () => {
    const llm = new ScoringLlm(
      new IsaraError("failed_precondition", "the server returns no prompt logprobs"),
    );
    const result = await createReferenceEvaluator({ llm, sampling }).evaluate({ baseModel: "m" }, items);
    assert.equal(result.metrics.mc2, undefined);
    assert.match(
      result.samples[0]?.notes?.likelihood ?? "",
      /not scored: the server returns no prompt logprobs/,
    );
  });

  it("any other failure fails the evaluation", async () => {
    const llm = new ScoringLlm(new IsaraError("unavailable", "server down"));
    await assert.rejects(
      createReferenceEvaluator({ llm, sampling }).evaluate({ baseModel: "m" }, items),
      (err) => isIsaraError(err, "unavailable"),
    );
  });
});
