import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChatModel, type ChatRequest, type EvalItem, isIsaraError } from "@isara/core";
import { createPairwiseJudge } from "./pairwise-judge.js";

interface Shown {
  readonly prompt: string;
  readonly a: string;
  readonly b: string;
}

const between = (text: string, start: string, end: string) => text.split(start)[1]?.split(end)[0] ?? "";

/**
 * FAKE pairwise judge model: stands in for a judge LLM served over HTTP, which cannot run here. It
 * reads the question and the two replies out of the rendered rubric and answers with `decide(shown)`.
 */
class FakePairwiseChat implements ChatModel {
  readonly modelId = "fake-pairwise-judge";
  readonly seen: Shown[] = [];
  readonly requests: ChatRequest[] = [];
  constructor(
    private readonly decide: (shown: Shown) => string,
    readonly parallelism = 1,
  ) {}
  async chat(request: ChatRequest): Promise<{ text: string }> {
    this.requests.push(request);
    const user = request.messages.find((m) => m.role === "user")?.content ?? "";
    const shown = {
      prompt: between(user, "[User message]\n", "\n[End of user message]"),
      a: between(user, "[Reply A]\n", "\n[End of reply A]"),
      b: between(user, "[Reply B]\n", "\n[End of reply B]"),
    };
    this.seen.push(shown);
    await new Promise((resolve) => setImmediate(resolve));
    return { text: this.decide(shown) };
  }
  async close(): Promise<void> {}
}

const items = (n: number): EvalItem[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    prompt: `Question ${i}?`,
    correct: ["x"],
    incorrect: [],
  }));
const short = (n: number) => Array.from({ length: n }, (_, i) => `short ${i}`);
const long = (n: number) =>
  Array.from({ length: n }, (_, i) => `a much longer and more detailed answer ${i}`);
const length = (s: string) => s.split(/\s+/).length;
const preferLonger = ({ a, b }: Shown) =>
  `Reason: compared.\nWinner: ${length(a) > length(b) ? "A" : length(b) > length(a) ? "B" : "tie"}`;

describe("createPairwiseJudge", () => {
  it("cancels position bias: a judge that always prefers the first reply gives a win rate of exactly 0.5", async () => {
    const chat = new FakePairwiseChat(() => "Reason: the first one.\nWinner: A");
    const result = await createPairwiseJudge({ chat, seed: 7 }).compare(items(9), long(9), short(9));
    assert.equal(result.winRate, 0.5);
    assert.equal(result.wins, 9);
    assert.equal(result.losses, 9);
    assert.equal(result.ties, 0);
    assert.equal(result.unparsed, 0);
    assert.ok(result.perItem.every((p) => p.scores.pairwise_win === 0.5));
  });

  it("judges every item once in each order and maps the winner back to its side", async () => {
    const chat = new FakePairwiseChat(preferLonger);
    const result = await createPairwiseJudge({ chat, seed: 7 }).compare(items(6), long(6), short(6));
    assert.equal(result.winRate, 1);
    assert.equal(result.wins, 12);
    assert.equal(result.judgements.length, 12);
    for (let i = 0; i < 6; i++) {
      const own = result.judgements.filter((j) => j.itemId === `q${i}`);
      assert.deepEqual(own.map((j) => j.shown).sort(), ["AB", "BA"]);
      assert.ok(own.every((j) => j.winner === "A"));
    }
    const swapped = await createPairwiseJudge({ chat, seed: 7 }).compare(items(6), short(6), long(6));
    assert.equal(swapped.winRate, 0);
    assert.equal(swapped.losses, 12);
  });

  it("randomises which order is asked first per item, reproducibly from the seed", async () => {
    const firstOrders = async (seed: number) => {
      const chat = new FakePairwiseChat(preferLonger);
      const result = await createPairwiseJudge({ chat, seed }).compare(items(24), long(24), short(24));
      const asked = chat.seen
        .filter((_, k) => k % 2 === 0)
        .map((s) => (s.a.startsWith("a much") ? "AB" : "BA"));
      assert.deepEqual(
        asked,
        result.perItem.map((p) => p.notes?.pairwise_first),
        "the first request of each item shows the order recorded as first",
      );
      return asked.join(",");
    };
    const seven = await firstOrders(7);
    assert.equal(await firstOrders(7), seven);
    assert.notEqual(await firstOrders(8), seven);
    assert.ok(seven.includes("AB") && seven.includes("BA"), "both orders go first for some items");
  });

  it("counts ties and splits as half a win", async () => {
    const tie = new FakePairwiseChat(() => "Winner: tie");
    const ties = await createPairwiseJudge({ chat: tie, seed: 1 }).compare(items(3), long(3), short(3));
    assert.equal(ties.winRate, 0.5);
    assert.equal(ties.ties, 6);
    const splitOnItem0 = new FakePairwiseChat(({ prompt, a }) =>
      prompt === "Question 0?" ? "Winner: B" : `Winner: ${a.startsWith("a much") ? "A" : "B"}`,
    );
    const split = await createPairwiseJudge({ chat: splitOnItem0, seed: 1 }).compare(
      items(2),
      long(2),
      short(2),
    );
    assert.equal(split.perItem[0]?.scores.pairwise_win, 0.5);
    assert.equal(split.perItem[1]?.scores.pairwise_win, 1);
    assert.equal(split.winRate, 3 / 4);
  });

  it("counts unparsed judgements apart and leaves them out of the win rate", async () => {
    const chat = new FakePairwiseChat((shown) =>
      shown.prompt === "Question 1?" ? "Both are nice." : preferLonger(shown),
    );
    const result = await createPairwiseJudge({ chat, seed: 3 }).compare(items(3), long(3), short(3));
    assert.equal(result.unparsed, 2);
    assert.equal(result.wins, 4);
    assert.equal(result.winRate, 1);
    assert.deepEqual(result.perItem[1]?.scores, { pairwise_unparsed: 2 });
    assert.match(
      result.judgements.find((j) => j.itemId === "q1")?.problem ?? "",
      /no "Winner: A\|B\|tie" line|no "Winner/,
    );
    const none = await createPairwiseJudge({ chat: new FakePairwiseChat(() => "?"), seed: 3 }).compare(
      items(2),
      long(2),
      short(2),
    );
    assert.equal(none.winRate, undefined);
    assert.equal(none.unparsed, 4);
  });

  it("records rubric id@version and judge model, and asks at temperature 0", async () => {
    const chat = new FakePairwiseChat(preferLonger, 2);
    const result = await createPairwiseJudge({ chat, seed: 1 }).compare(items(2), long(2), short(2));
    assert.equal(result.rubric, "pairwise@1");
    assert.equal(result.judgeModel, "fake-pairwise-judge");
    assert.equal(result.perItem[0]?.notes?.pairwise_rubric, "pairwise@1");
    assert.ok(chat.requests.every((r) => r.temperature === 0));
  });

  it("refuses answer lists that do not match the items", async () => {
    const judge = createPairwiseJudge({ chat: new FakePairwiseChat(preferLonger), seed: 1 });
    await assert.rejects(
      judge.compare(items(3), long(3), short(2)),
      (err) =>
        isIsaraError(err, "invalid_argument") && /3 items, 3 answers A and 2 answers B/.test(err.message),
    );
  });
});
