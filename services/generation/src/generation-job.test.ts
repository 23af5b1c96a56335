import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError, sampleId } from "@isara/core";
import { parseAnswerWork, parsePromptWork } from "./generation-job.js";
import { fixtureAnswerWork, fixturePromptWork } from "./slot-fixture.js";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"), String(err));
    return err.details as string[];
  }
  assert.fail("expected the work to be refused");
}

test("a valid PromptWork becomes a job with its seeds, quotas, sampling and model", () => {
  const work = fixturePromptWork("run-1", 4, { adapter: "run-1/round-0/train/adapter.gguf" });
  const job = parsePromptWork(work);
  assert.equal(job.kind, "prompt");
  assert.equal(job.idempotencyKey, sampleId("run-1", 1, 4));
  assert.deepEqual(job.quotas, [4]);
  assert.equal(job.demoSeed, work.demoSeed);
  assert.equal(job.samplingSeed, work.samplingSeed);
  assert.equal(job.sampling.maxTokens, 12);
  assert.deepEqual(job.model, { baseModel: "tiny", adapter: "run-1/round-0/train/adapter.gguf" });
});

test("a PromptWork is refused with every problem listed at once", () => {
  const work = fixturePromptWork("run-1", 2);
  const problems = problemsOf(() =>
    parsePromptWork({
      ...work,
      idempotencyKey: sampleId("run-1", 1, 3),
      quotas: [4, 1],
      promptBudgetTokens: 0,
      sampling: { maxTokens: 0, temperature: 0.7, topP: 0, repetitionPenalty: 1 },
      model: { baseModel: " ", adapter: undefined },
    }),
  );
  assert.equal(problems.length, 6, problems.join("\n"));
  assert.match(problems.join("\n"), /idempotency_key is .* expected sampleId\(run, round, slot\)/);
  assert.match(problems.join("\n"), /quotas has 2 entries but round 1 has 1 sets/);
  assert.match(problems.join("\n"), /prompt_budget_tokens is 0/);
  assert.match(problems.join("\n"), /sampling.maxTokens/);
  assert.match(problems.join("\n"), /sampling.topP/);
  assert.match(problems.join("\n"), /model.base_model is not set/);
});

test("a work without a usable run, or for round 0, is refused", () => {
  const work = fixturePromptWork("run-1", 0);
  assert.match(
    problemsOf(() => parsePromptWork({ ...work, context: undefined })).join("\n"),
    /context.run is not set/,
  );
  assert.match(
    problemsOf(() =>
      parsePromptWork({ ...work, context: { ...work.context, run: "../etc" } } as typeof work),
    ).join("\n"),
    /context.run: run id "..\/etc" cannot name a run folder/,
  );
  assert.match(
    problemsOf(() =>
      parsePromptWork({ ...work, context: { run: "run-1", domain: "d", round: 0, correlationId: "" } }),
    ).join("\n"),
    /generation starts at round 1/,
  );
});

test("an AnswerWork keeps its prompt and prompt demos; an oversized prompt or unnamed demo is refused", () => {
  const demos = [{ id: "a".repeat(24), setIndex: 0, score: undefined }];
  const job = parseAnswerWork(fixtureAnswerWork("run-1", 1, "What is a box?", demos));
  assert.equal(job.prompt, "What is a box?");
  assert.deepEqual(job.promptDemos, [{ id: "a".repeat(24), setIndex: 0, score: null }]);
  const problems = problemsOf(() =>
    parseAnswerWork(
      fixtureAnswerWork("run-1", 1, "x".repeat(20_001), [{ id: "", setIndex: 0, score: undefined }]),
    ),
  );
  assert.deepEqual(
    problems.map((p) => p.split(" ")[0]),
    ["prompt", "prompt_demos[0].id"],
  );
});
