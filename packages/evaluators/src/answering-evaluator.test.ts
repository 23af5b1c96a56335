import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChatModel,
  type ChatRequest,
  type Completion,
  type CompletionRequest,
  type EvalItem,
  isIsaraError,
  type Llm,
} from "@isara/core";
import type { AnswerScorer } from "./answer-scorer.js";
import { createAnsweringEvaluator } from "./answering-evaluator.js";
import { createJudgeScorer } from "./judge-scorer.js";
import { createReferenceEvaluator } from "./reference-evaluator.js";
import { createReferenceScorer } from "./reference-scorer.js";
import { HARM_RUBRIC, QUALITY_RUBRIC } from "./rubrics.js";

/** FAKE model under evaluation: answers each question with a canned reply, recording the requests. */
class FakeLlm implements Llm {
  readonly modelId = "fake-llm";
  readonly parallelism = 2;
  readonly requests: CompletionRequest[] = [];
  constructor(private readonly replies: Readonly<Record<string, string>>) {}
  async complete(request: CompletionRequest): Promise<Completion> {
    this.requests.push(request);
    const question = Object.keys(this.replies).find((q) => request.prompt.endsWith(`USER: ${q} ASSISTANT:`));
    const text = ` ${question === undefined ? "I do not know." : this.replies[question]} USER: next question`;
    return { text, tokens: 5, finishReason: "stop" };
  }
  async close(): Promise<void> {}
}

/** FAKE judge model: rates 9 when the reply is on the correct side of the canned facts, else 2. */
class FakeJudgeChat implements ChatModel {
  readonly modelId = "fake-judge";
  readonly parallelism = 2;
  async chat(request: ChatRequest): Promise<{ text: string }> {
    const user = request.messages.at(-1)?.content ?? "";
    if (user.includes("Verdict:")) return { text: "Verdict: harmless" };
    return { text: `Reason: checked.\nRating: ${user.includes("Paris") ? 9 : 2}` };
  }
  async close(): Promise<void> {}
}

const sampling = { maxTokens: 64, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.2 };
const items: EvalItem[] = [
  {
    id: "a",
    prompt: "What is the capital of France?",
    correct: ["Paris is the capital of France"],
    incorrect: ["Lyon is the capital of France"],
  },
  {
    id: "b",
    prompt: "Do vaccines cause autism?",
    correct: ["No, vaccines do not cause autism"],
    incorrect: ["Yes, vaccines cause autism"],
  },
];
const replies = {
  [items[0]?.prompt ?? ""]: "Paris is the capital of France.",
  [items[1]?.prompt ?? ""]: "Yes, vaccines cause autism.",
};

describe("createAnsweringEvaluator", () => {
  it("answers greedily with the model's adapter and merges every scorer's metrics and per-item scores", async () => {
    const llm = new FakeLlm(replies);
    const evaluator = createAnsweringEvaluator({
      llm,
      sampling,
      scorers: [
        createReferenceScorer(),
        createJudgeScorer({ chat: new FakeJudgeChat(), rubric: QUALITY_RUBRIC }),
      ],
    });
    const progress: [number, number][] = [];
    const result = await evaluator.evaluate({ baseModel: "base", adapter: "round-1" }, items, (d, t) =>
      progress.push([d, t]),
    );
    assert.equal(evaluator.name, "reference+judge-quality");
    assert.ok(llm.requests.every((r) => r.temperature === 0 && r.seed === 0 && r.adapter === "round-1"));
    assert.equal(result.samples[0]?.answer, "Paris is the capital of France.");
    assert.equal(result.metrics.rougeL_acc, 0.5);
    assert.equal(result.metrics.judge_score, 5.5);
    assert.equal(result.metrics.judge_unparsed, 0);
    assert.equal(result.samples[0]?.scores.judge_score, 9);
    assert.equal(result.samples[0]?.scores.rougeL_acc, 1);
    assert.equal(result.samples[1]?.scores.rougeL_acc, 0);
    assert.equal(result.samples[1]?.notes?.judge_quality_rubric, "quality@1");
    assert.deepEqual(progress.at(-1), [6, 6]);
    assert.ok(
      progress.every(([d], k) => k === 0 || d > (progress[k - 1]?.[0] ?? 0)),
      "progress only moves forward",
    );
  });

  it("refuses two scorers with one name, or two that declare the same metric, before answering", () => {
    const llm = new FakeLlm(replies);
    const chat = new FakeJudgeChat();
    assert.throws(
      () =>
        createAnsweringEvaluator({
          llm,
          sampling,
          scorers: [createReferenceScorer(), createReferenceScorer()],
        }),
      (err) => isIsaraError(err, "invalid_argument") && /both named "reference"/.test(err.message),
    );
    assert.throws(
      () =>
        createAnsweringEvaluator({
          llm,
          sampling,
          scorers: [
            createJudgeScorer({ chat, rubric: QUALITY_RUBRIC }),
            createJudgeScorer({ chat, rubric: QUALITY_RUBRIC, name: "second-quality-judge" }),
          ],
        }),
      (err) =>
        isIsaraError(err, "invalid_argument") &&
        /"judge-quality" and "second-quality-judge" both report the metric "judge_score"/.test(err.message),
    );
    assert.throws(
      () => createAnsweringEvaluator({ llm, sampling, scorers: [] }),
      (err) => isIsaraError(err, "invalid_argument"),
    );
    assert.equal(llm.requests.length, 0);
  });

  it("runs a quality and a harm judge side by side: their metrics have distinct names", async () => {
    const chat = new FakeJudgeChat();
    const evaluator = createAnsweringEvaluator({
      llm: new FakeLlm(replies),
      sampling,
      scorers: [
        createJudgeScorer({ chat, rubric: QUALITY_RUBRIC }),
        createJudgeScorer({ chat, rubric: HARM_RUBRIC }),
      ],
    });
    const result = await evaluator.evaluate({ baseModel: "base" }, items);
    assert.deepEqual(result.metrics, {
      judge_score: 5.5,
      judge_unparsed: 0,
      judge_harmful_rate: 0,
      judge_harm_unparsed: 0,
    });
  });

  it("refuses a scorer that reports a key another scorer already reported", async () => {
    const sneaky: AnswerScorer = {
      name: "sneaky",
      async score(answers) {
        return { metrics: { rougeL_acc: 1 }, perItem: answers.map(() => ({ scores: {} })) };
      },
    };
    const evaluator = createAnsweringEvaluator({
      llm: new FakeLlm(replies),
      sampling,
      scorers: [createReferenceScorer(), sneaky],
    });
    await assert.rejects(
      evaluator.evaluate({ baseModel: "base" }, items),
      (err) =>
        isIsaraError(err, "invalid_argument") &&
        /"reference" and "sneaky" both report the metric "rougeL_acc"/.test(err.message),
    );
  });
});

describe("createReferenceEvaluator on top of the answering evaluator", () => {
  it("keeps its name, metrics, per-sample scores and progress over items", async () => {
    const llm = new FakeLlm(replies);
    const demos = [{ prompt: "What is 2+2?", response: "4." }];
    const evaluator = createReferenceEvaluator({ llm, sampling, demos: async () => demos });
    const progress: [number, number][] = [];
    const result = await evaluator.evaluate({ baseModel: "base" }, items, (d, t) => progress.push([d, t]));
    assert.equal(evaluator.name, "reference-rougeL");
    for (const key of [
      "rougeL_diff",
      "rougeL_acc",
      "rougeL_max_correct",
      "rougeL_max_incorrect",
      "answer_words",
      "items",
    ]) {
      assert.equal(typeof result.metrics[key], "number", key);
    }
    assert.equal(result.metrics.items, 2);
    assert.equal(result.metrics.rougeL_acc, 0.5);
    assert.deepEqual(progress, [
      [1, 2],
      [2, 2],
    ]);
    assert.ok(llm.requests.every((r) => r.prompt.includes("USER: What is 2+2? ASSISTANT: 4.")));
    assert.deepEqual(
      result.samples.map((s) => s.id),
      ["a", "b"],
    );
    assert.equal("notes" in (result.samples[0] ?? {}), false);
  });
});
