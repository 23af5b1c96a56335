import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { didYouMean, fieldPath, issueProblem, unknownKeys } from "./schema-issues.js";

test("field paths read like the JSON they point into", () => {
  assert.equal(fieldPath(["isara", "rounds"]), "isara.rounds");
  assert.equal(fieldPath(["correct", 0]), "correct[0]");
  assert.equal(fieldPath([]), null);
});

test("did you mean: close keys and case slips are suggested, unrelated words are not", () => {
  const keys = ["rounds", "demos", "promptsPerRound"];
  assert.equal(didYouMean("round", keys), "rounds");
  assert.equal(didYouMean("PromptsPerRound", keys), "promptsPerRound");
  assert.equal(didYouMean("prompts_per_round", keys), "promptsPerRound");
  assert.equal(didYouMean("temperature", keys), null);
});

test("unknown keys are found at every depth, default-wrapped objects included", () => {
  const schema = z.object({ a: z.number(), inner: z.object({ rounds: z.number() }).default({ rounds: 1 }) });
  assert.deepEqual(unknownKeys(schema, { a: 1, b: 2, inner: { roundz: 3 } }), [
    { field: "b", problem: 'unknown key "b" — did you mean "a"? Allowed keys: a, inner' },
    {
      field: "inner.roundz",
      problem: 'unknown key "roundz" in "inner" — did you mean "rounds"? Allowed keys: rounds',
    },
  ]);
  assert.deepEqual(unknownKeys(schema, { a: 1, inner: { rounds: 2 } }), []);
});

test("issues become sentences that quote the value and add the field's hint", () => {
  const schema = z.object({ n: z.number().int().max(5), s: z.string().trim().min(1), e: z.enum(["x", "y"]) });
  const input = { n: 7, s: " ", e: "z" };
  const result = schema.safeParse(input);
  assert.equal(result.success, false);
  const sentences = (result.error?.issues ?? []).map(
    (i) => issueProblem(i, input, { s: "write something" }).problem,
  );
  assert.deepEqual(sentences, [
    '"n" must be at most 5, got 7',
    '"s" must not be empty — write something',
    '"e" must be one of "x", "y", got "z"',
  ]);
  const typed = schema.safeParse({ n: 1.5, s: 3 });
  const typeSentences = (typed.error?.issues ?? []).map((i) => issueProblem(i, { n: 1.5, s: 3 }).problem);
  assert.deepEqual(typeSentences, [
    '"n" must be a whole number, got 1.5',
    '"s" must be text in quotes, got 3',
    '"e" is missing',
  ]);
});
