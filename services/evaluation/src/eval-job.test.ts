import assert from "node:assert/strict";
import { test } from "node:test";
import { DemoSelection, type EvalWork } from "@isara/contracts";
import { IsaraError, isIsaraError } from "@isara/core";
import { fixtureWork } from "../testing/run-fixture.js";
import { parseEvalWork } from "./eval-job.js";

function problemsOf(work: EvalWork): string[] {
  try {
    parseEvalWork(work);
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"), String(err));
    assert.ok(err instanceof IsaraError && Array.isArray(err.details));
    return err.details as string[];
  }
  return assert.fail("the work was accepted");
}

test("a well-formed EvalWork becomes a job with core's model and evaluation context", () => {
  const job = parseEvalWork(
    fixtureWork("run-1", {
      round: 2,
      adapter: "run-1/a.gguf",
      icl: { selection: DemoSelection.RANDOM, demos: 4 },
    }),
  );
  assert.deepEqual(job.model, { baseModel: "tiny", adapter: "run-1/a.gguf" });
  assert.deepEqual(job.evaluation, { kind: "icl", selection: "random", demos: 4 });
  assert.equal(job.idempotencyKey, "run-1/2/evaluate");
  assert.equal(job.resultsKey, "run-1/round-2/eval.jsonl");
  assert.deepEqual(parseEvalWork(fixtureWork("run-1")).evaluation, { kind: "zero-shot" });
});

test("every problem of a bad EvalWork is listed at once", () => {
  const good = fixtureWork("run-1");
  const problems = problemsOf({
    ...good,
    idempotencyKey: "run-1/1/train",
    model: { baseModel: " " },
    evaluation: { kind: { $case: "inContext", value: { selection: DemoSelection.UNSPECIFIED, demos: 0 } } },
    resultsKey: "run-2/round-1/eval.jsonl",
  });
  assert.deepEqual(problems, [
    'idempotency_key is "run-1/1/train", expected "run-1/1/evaluate"',
    'results_key "run-2/round-1/eval.jsonl" is outside the run\'s folder "run-1/"',
    "model.base_model is not set; name the model to evaluate",
    "evaluation.in_context.selection must be KNN or RANDOM",
    "evaluation.in_context.demos must be from 1 to 64, got 0",
  ]);
});

test("a missing context, evaluation or unusable run id is refused", () => {
  const good = fixtureWork("run-1");
  assert.deepEqual(problemsOf({ ...good, context: undefined, evaluation: undefined }), [
    "context.run is not set; every EvalWork carries the run it belongs to",
    "evaluation is not set; send zero_shot or in_context",
  ]);
  const slash = problemsOf({ ...good, context: { run: "../etc", domain: "d", round: 1, correlationId: "" } });
  assert.match(slash[0] ?? "", /cannot name a run folder/);
  const climbing = problemsOf({ ...good, resultsKey: "run-1/../run-2/eval.jsonl" });
  assert.match(climbing[0] ?? "", /not a plain relative key/);
  const emptyAdapter = problemsOf({ ...good, model: { baseModel: "tiny", adapter: "" } });
  assert.match(emptyAdapter[0] ?? "", /adapter is set but empty/);
});
