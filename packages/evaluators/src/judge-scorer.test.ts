import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChatModel, type ChatRequest, type EvalItem, isIsaraError } from "@isara/core";
import type { AnsweredItem } from "./answer-scorer.js";
import { createJudgeScorer } from "./judge-scorer.js";
import type { SingleAnswerRubric } from "./rubric.js";
import { HARM_RUBRIC, PAIRWISE_RUBRIC, QUALITY_RUBRIC } from "./rubrics.js";

/**
 * FAKE judge model: stands in for a judge LLM served over HTTP, which cannot run here. It finds the
 * answer in the rendered rubric and replies with whatever `verdict(answer)` says, so each test
 * controls the judge's behaviour exactly (including garbage replies).
 */
class FakeJudgeChat implements ChatModel {
  readonly modelId = "fake-judge-1";
  readonly requests: ChatRequest[] = [];
  maxInFlight = 0;
  private inFlight = 0;
  constructor(
    private readonly verdict: (answer: string) => string,
    readonly parallelism = 3,
  ) {}
  async chat(request: ChatRequest): Promise<{ text: string }> {
    this.requests.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
    const user = request.messages.find((m) => m.role === "user")?.content ?? "";
    const answer = user.split("[Assistant reply]\n")[1]?.split("\n[End of assistant reply]")[0] ?? "";
    return { text: this.verdict(answer) };
  }
  async close(): Promise<void> {}
}

const item = (id: string, prompt = `Question ${id}?`): EvalItem => ({
  id,
  prompt,
  correct: ["yes"],
  incorrect: [],
});
const answered = (...answers: string[]): AnsweredItem[] =>
  answers.map((answer, i) => ({ item: item(`q${i}`), answer }));
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
/** Rates by length (more words, higher rating) and fails to answer in the format for answers saying GARBLE. */
const lengthJudge = (answer: string) =>
  answer.includes("GARBLE")
    ? "The reply is fine I suppose."
    : `Reason: long enough.\n**Rating:** ${Math.min(10, words(answer))}`;

describe("createJudgeScorer with the quality rubric", () => {
  it("reports the mean rating over parsed judgements and counts the unparsed ones apart", async () => {
    const chat = new FakeJudgeChat(lengthJudge);
    const scorer = createJudgeScorer({ chat, rubric: QUALITY_RUBRIC });
    const result = await scorer.score(
      answered(
        "two words",
        "now four words here",
        "GARBLE GARBLE",
        "one two three four five six seven eight nine",
      ),
    );
    assert.deepEqual(result.metrics, { judge_score: 5, judge_unparsed: 1 });
    assert.deepEqual(
      result.perItem.map((p) => p.scores),
      [
        { judge_score: 2, judge_unparsed: 0 },
        { judge_score: 4, judge_unparsed: 0 },
        { judge_unparsed: 1 },
        { judge_score: 9, judge_unparsed: 0 },
      ],
    );
    assert.equal(scorer.name, "judge-quality");
    assert.deepEqual(scorer.metricNames, ["judge_score", "judge_unparsed"]);
  });

  it("records rubric id@version, judge model and the judge's reply on every item, and why a reply was unreadable", async () => {
    const chat = new FakeJudgeChat(lengthJudge);
    const result = await createJudgeScorer({ chat, rubric: QUALITY_RUBRIC }).score(
      answered("short answer", "GARBLE"),
    );
    assert.deepEqual(result.perItem[0]?.notes, {
      judge_quality_rubric: "quality@1",
      judge_quality_model: "fake-judge-1",
      judge_quality_reply: "Reason: long enough.\n**Rating:** 2",
    });
    assert.equal(result.perItem[1]?.notes?.judge_quality_rubric, "quality@1");
    assert.match(result.perItem[1]?.notes?.judge_quality_problem ?? "", /no "Rating:" line/);
  });

  it("asks at temperature 0 with the rubric's messages, keeping at most chat.parallelism requests in flight", async () => {
    const chat = new FakeJudgeChat(lengthJudge, 3);
    await createJudgeScorer({ chat, rubric: QUALITY_RUBRIC }).score(
      answered("a b", "c d", "e f", "g h", "i j", "k l"),
    );
    assert.equal(chat.requests.length, 6);
    assert.equal(chat.maxInFlight, 3);
    for (const request of chat.requests) {
      assert.equal(request.temperature, 0);
      assert.equal(request.maxTokens, QUALITY_RUBRIC.maxTokens);
      assert.deepEqual(request.messages[0], { role: "system", content: QUALITY_RUBRIC.system });
    }
    assert.match(
      chat.requests[1]?.messages[1]?.content ?? "",
      /\[User message\]\nQuestion q1\?\n[\s\S]*\[Assistant reply\]\nc d\n/,
    );
  });

  it("truncates long judge replies in the notes", async () => {
    const chat = new FakeJudgeChat(() => `Reason: ${"very ".repeat(100)}good.\nRating: 9`);
    const result = await createJudgeScorer({ chat, rubric: QUALITY_RUBRIC, noteChars: 40 }).score(
      answered("x"),
    );
    const reply = result.perItem[0]?.notes?.judge_quality_reply ?? "";
    assert.equal(reply.length, 40);
    assert.ok(reply.endsWith("…"));
    assert.equal(result.metrics.judge_score, 9);
  });

  it("leaves the mean out when no judgement parsed, rather than reporting a 0", async () => {
    const chat = new FakeJudgeChat(() => "I cannot judge this.");
    const result = await createJudgeScorer({ chat, rubric: QUALITY_RUBRIC }).score(answered("a", "b"));
    assert.deepEqual(result.metrics, { judge_unparsed: 2 });
  });
});

describe("createJudgeScorer with the harm rubric", () => {
  const harmJudge = (answer: string) =>
    answer.includes("???")
      ? "Hmm."
      : `Reason: see reply.\nVerdict: ${/poison/i.test(answer) ? "Harmful" : "harmless"}`;

  it("reports the share of parsed answers judged harmful", async () => {
    const chat = new FakeJudgeChat(harmJudge);
    const scorer = createJudgeScorer({ chat, rubric: HARM_RUBRIC });
    const result = await scorer.score(
      answered("Use poison.", "I cannot help with that.", "???", "Drink water."),
    );
    assert.equal(result.metrics.judge_harmful_rate, 1 / 3);
    assert.equal(result.metrics.judge_harm_unparsed, 1);
    assert.deepEqual(result.perItem[0]?.scores, { judge_harmful: 1, judge_harm_unparsed: 0 });
    assert.equal(result.perItem[0]?.notes?.judge_harm_rubric, "harm@1");
    assert.deepEqual(scorer.metricNames, ["judge_harmful_rate", "judge_harm_unparsed"]);
  });

  it("puts metricPrefix before every key so two judges can share an evaluator", async () => {
    const chat = new FakeJudgeChat(harmJudge);
    const scorer = createJudgeScorer({ chat, rubric: HARM_RUBRIC, metricPrefix: "harm_" });
    const result = await scorer.score(answered("Use poison."));
    assert.deepEqual(result.metrics, { harm_judge_harmful_rate: 1, harm_judge_harm_unparsed: 0 });
    assert.deepEqual(Object.keys(result.perItem[0]?.notes ?? {}).sort(), [
      "harm_judge_harm_model",
      "harm_judge_harm_reply",
      "harm_judge_harm_rubric",
    ]);
  });
});

it("createJudgeScorer refuses a pairwise rubric", () => {
  const chat = new FakeJudgeChat(lengthJudge);
  assert.throws(
    () => createJudgeScorer({ chat, rubric: PAIRWISE_RUBRIC as unknown as SingleAnswerRubric }),
    (err) => isIsaraError(err, "invalid_argument") && /createPairwiseJudge/.test(err.message),
  );
});
