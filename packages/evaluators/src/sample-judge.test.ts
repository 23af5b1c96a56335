import assert from "node:assert/strict";
import { test } from "node:test";
import type { ChatModel, ChatRequest } from "@isara/core";
import { RUBRICS } from "./rubrics.js";
import { createSampleJudge } from "./sample-judge.js";

/** A chat stand-in that replies with fixed texts and records the requests; a real judge is in tests/. */
function replying(...replies: string[]): ChatModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    modelId: "judge-model",
    parallelism: 4,
    requests,
    async chat(request) {
      requests.push(request);
      return { text: replies[requests.length - 1] ?? "" };
    },
    async close() {},
  };
}

test("a sample judge asks the quality rubric about the sample and reads rating and reason", async () => {
  const chat = replying("Reason: The answer is true and says why.\nRating: 8", "I think it is fine.");
  const judge = createSampleJudge({ chat });
  assert.equal(judge.ref, "judge-model with quality@1");
  assert.deepEqual([judge.min, judge.max, judge.parallelism], [1, 10, 4]);
  assert.deepEqual(await judge.rate("Is glass a liquid?", "No, glass is an amorphous solid."), {
    rating: 8,
    reason: "The answer is true and says why.",
  });
  const [request] = chat.requests;
  assert.equal(request?.temperature, 0);
  assert.match(
    request?.messages[1]?.content ?? "",
    /Is glass a liquid\?[\s\S]*No, glass is an amorphous solid\./,
  );
  const unread = await judge.rate("q", "a");
  assert.equal(unread.rating, null, "a reply without a rating line is no rating, never a guess");
  assert.match(unread.reason, /no "Rating:" line; reply: I think it is fine\./);
});

test("a choice rubric cannot serve the judge-score filter", () => {
  assert.throws(() => createSampleJudge({ chat: replying(), rubric: RUBRICS.harm }), /needs a rating rubric/);
});
