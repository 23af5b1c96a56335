import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunDomains } from "@isara/contracts";
import { type ArtifactStore, isIsaraError, sampleId } from "@isara/core";
import {
  FIXTURE_CONFIG,
  fixtureAnswerWork,
  fixturePromptWork,
  writeFixtureSnapshot,
} from "../testing/slot-fixture.js";
import {
  type AnswerJob,
  type PromptJob,
  parseAnswerWork,
  parsePromptWork,
  withRunSettings,
} from "./generation-job.js";

/** An in-memory artifact store. */
function memoryStore(): ArtifactStore {
  const data = new Map<string, Uint8Array>();
  return {
    write: async (key, value) =>
      void data.set(key, typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value)),
    read: async (key) => data.get(key),
    exists: async (key) => data.has(key),
    locate: (key) => `/memory/${key}`,
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"), String(err));
    return err.details as string[];
  }
  assert.fail("expected the work to be refused");
}

test("a valid PromptWork becomes a job with its seeds, quotas, model, and the run's sampling", async () => {
  const artifacts = memoryStore();
  await writeFixtureSnapshot(artifacts, "run-1");
  const work = fixturePromptWork("run-1", 4, { adapter: "run-1/round-0/train/adapter.gguf" });
  const parsed = parsePromptWork(work);
  assert.equal("sampling" in parsed, false, "the message's sampling is not read");
  const job = await withRunSettings<PromptJob>(parsed, createRunDomains(artifacts), "prompt");
  assert.equal(job.kind, "prompt");
  assert.equal(job.idempotencyKey, sampleId("run-1", 1, 4));
  assert.deepEqual(job.quotas, [4]);
  assert.equal(job.demoSeed, work.demoSeed);
  assert.equal(job.samplingSeed, work.samplingSeed);
  assert.equal(job.sampling.maxTokens, 12);
  assert.equal(job.promptBudgetTokens, FIXTURE_CONFIG.isara.promptBudgetTokens);
  assert.deepEqual(job.model, { baseModel: "tiny", adapter: "run-1/round-0/train/adapter.gguf" });
});

test("a PromptWork is refused with every problem listed at once", () => {
  const work = fixturePromptWork("run-1", 2);
  const problems = problemsOf(() =>
    parsePromptWork({
      ...work,
      idempotencyKey: sampleId("run-1", 1, 3),
      quotas: [4, 1],
      model: { baseModel: " ", adapter: undefined },
    }),
  );
  assert.equal(problems.length, 3, problems.join("\n"));
  assert.match(problems.join("\n"), /idempotency_key is .* expected sampleId\(run, round, slot\)/);
  assert.match(problems.join("\n"), /quotas has 2 entries but round 1 has 1 sets/);
  assert.match(problems.join("\n"), /model.base_model is not set/);
});

test("the deprecated sampling and prompt_budget_tokens an older controller sets are ignored, not checked", async () => {
  const artifacts = memoryStore();
  await writeFixtureSnapshot(artifacts, "run-1");
  const domains = createRunDomains(artifacts);
  const stale = { maxTokens: 0, temperature: 0.7, topP: 0, repetitionPenalty: 1 };
  const prompt = parsePromptWork({
    ...fixturePromptWork("run-1", 2),
    sampling: stale,
    promptBudgetTokens: 0,
  });
  const answer = parseAnswerWork({
    ...fixtureAnswerWork("run-1", 2, "What is a box?", []),
    sampling: stale,
    promptBudgetTokens: 7,
  });
  const promptJob = await withRunSettings<PromptJob>(prompt, domains, "prompt");
  assert.deepEqual(promptJob.sampling, FIXTURE_CONFIG.isara.promptSampling);
  assert.equal(promptJob.promptBudgetTokens, FIXTURE_CONFIG.isara.promptBudgetTokens);
  const answerJob = await withRunSettings<AnswerJob>(answer, domains, "answer");
  assert.deepEqual(answerJob.sampling, FIXTURE_CONFIG.isara.answerSampling);
  assert.equal(answerJob.promptBudgetTokens, FIXTURE_CONFIG.isara.promptBudgetTokens);
});

test("a work of a run without a snapshot, or naming another domain, is refused", async () => {
  const artifacts = memoryStore();
  await writeFixtureSnapshot(artifacts, "run-1");
  const domains = createRunDomains(artifacts);
  await assert.rejects(
    withRunSettings(parsePromptWork(fixturePromptWork("run-2", 1)), domains, "prompt"),
    (err) => isIsaraError(err, "not_found"),
  );
  const work = fixturePromptWork("run-1", 1);
  const other = parsePromptWork({ ...work, context: { ...work.context, domain: "other" } } as typeof work);
  await assert.rejects(withRunSettings(other, domains, "prompt"), (err) =>
    isIsaraError(err, "invalid_argument"),
  );
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
