/**
 * The evaluation handler in process, without Kafka: a real tiny llama.cpp model (random weights,
 * written by the test) and a real artifact folder. What a user of the stage would notice: the
 * EvalDone it reports, the files it leaves, and whether the model ran.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { completionKey, DemoSelection, ErrorCode, type EvalWork } from "@isara/contracts";
import { isIsaraError } from "@isara/core";
import { createMetrics } from "@isara/kit";
import { llamaBackend } from "@isara/llm-backends";
import { createLlamaLlm, type LlamaLlm, writeTinyLlamaGguf, writeTinyLoraGguf } from "@isara/llm-llama";
import { FsArtifactStore } from "@isara/store-fs";
import { countingLlm, unavailableFor } from "../testing/counting-llm.js";
import { runOnce, stageJob } from "../testing/handler-harness.js";
import { FIXTURE_EVAL, fixtureWork, writeFixtureRun } from "../testing/run-fixture.js";
import { createEvalWorkHandler } from "./eval-work-handler.js";
import { createEvaluationMetrics } from "./service-metrics.js";

let dir: string;
let modelPath: string;
let model: LlamaLlm;
let artifacts: FsArtifactStore;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-evaluation-"));
  modelPath = join(dir, "tiny.gguf");
  await writeTinyLlamaGguf(modelPath);
  model = await createLlamaLlm({ modelPath, parallelism: 2, contextSize: 512 });
  artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
});
after(async () => {
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A handler over `llm` with fresh metrics, and the counter of its outcomes. */
function handlerWith(llm = countingLlm(model)) {
  const metrics = createMetrics();
  const evaluationMetrics = createEvaluationMetrics(metrics);
  const handle = createEvalWorkHandler({
    artifacts,
    backend: llamaBackend({ llm, tokenizer: model, modelPath, artifacts }),
    metrics: evaluationMetrics,
  });
  const outcomes = async () => (await metrics.registry.getSingleMetricAsString("evaluations_total")).trim();
  return { llm, handle, outcomes };
}

describe("a zero-shot evaluation", () => {
  test("scores every eval question, stores the answers and reports the metrics in EvalDone", async () => {
    const { llm, handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-zero");
    const work = fixtureWork("run-zero", { correlationId: "req-42" });
    const { message, done } = await runOnce(handle, work);

    assert.equal(message.key, "run-zero", "keyed by run id");
    assert.deepEqual(done.context, work.context);
    assert.equal(done.idempotencyKey, "run-zero/1/evaluate");
    assert.equal(done.outcome?.$case, "result");
    const result = done.outcome.value;
    assert.equal(result.items, FIXTURE_EVAL.length);
    assert.equal(result.resultsKey, "run-zero/round-1/eval.jsonl");
    for (const name of ["rougeL_diff", "rougeL_acc", "rougeL_max_correct"]) {
      assert.equal(typeof result.metrics?.values[name], "number", `metric ${name}`);
    }
    assert.equal(llm.requests.length, FIXTURE_EVAL.length, "one completion per question");
    assert.ok(llm.requests.every((r) => r.temperature === 0 && r.adapter === undefined));

    const rows = (await readFile(join(artifacts.root, result.resultsKey), "utf8")).trim().split("\n");
    const samples = rows.map((r) => JSON.parse(r) as { id: string; prompt: string; answer: string });
    assert.deepEqual(
      samples.map((s) => s.id),
      FIXTURE_EVAL.map((q) => q.id),
    );
    assert.ok(samples.every((s) => typeof s.answer === "string"));
    assert.equal(message.headers["x-request-id"], "req-42");
    assert.equal(message.headers["x-isara-round"], "1");
  });

  test("a redelivered EvalWork is answered from the stored results: no completion, identical EvalDone", async () => {
    const { llm, handle, outcomes } = handlerWith();
    await writeFixtureRun(artifacts, "run-again");
    const work = fixtureWork("run-again");
    const first = await runOnce(handle, work);
    const calls = llm.requests.length;
    const second = await runOnce(handle, work);
    assert.equal(llm.requests.length, calls, "the model did not run again");
    assert.deepEqual(second.message.value, first.message.value, "byte-identical EvalDone");
    assert.deepEqual(second.message.headers, first.message.headers);
    assert.match(await outcomes(), /outcome="replayed"} 1/);
    assert.match(await outcomes(), /outcome="evaluated"} 1/);
  });

  test("results whose completion record is missing (a crash between the writes) are evaluated again", async () => {
    const { llm, handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-torn");
    const work = fixtureWork("run-torn");
    await runOnce(handle, work);
    await rm(join(artifacts.root, completionKey(work.resultsKey)));
    await runOnce(handle, work);
    assert.equal(llm.requests.length, 2 * FIXTURE_EVAL.length);
  });
});

describe("what the model sees", () => {
  test("random in-context demos: K seed conversations before each question, the same on every run", async () => {
    const { llm, handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-icl");
    await runOnce(handle, fixtureWork("run-icl", { icl: { selection: DemoSelection.RANDOM, demos: 3 } }));
    const prompts = llm.requests.map((r) => r.prompt);
    for (const prompt of prompts) {
      assert.equal(prompt.match(/BEGINNING OF CONVERSATION/g)?.length, 4, "3 demos and the question");
      assert.equal(prompt.match(/Seed question number/g)?.length, 3);
    }
    const again = handlerWith();
    await writeFixtureRun(artifacts, "run-icl-2");
    await runOnce(
      again.handle,
      fixtureWork("run-icl-2", { icl: { selection: DemoSelection.RANDOM, demos: 3 } }),
    );
    assert.deepEqual(
      again.llm.requests.map((r) => r.prompt).sort(),
      [...prompts].sort(),
      "demo choice depends only on the domain's seed and the question's position",
    );
  });

  test("an adapter given as an artifact key reaches llama.cpp as the file on the shared volume", async () => {
    const { llm, handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-lora");
    const adapterPath = artifacts.locate("run-lora/round-1/train/adapter.gguf");
    await mkdir(dirname(adapterPath), { recursive: true });
    await writeTinyLoraGguf(adapterPath);
    const work = fixtureWork("run-lora", { adapter: "run-lora/round-1/train/adapter.gguf" });
    const { done } = await runOnce(handle, work);
    assert.equal(done.outcome?.$case, "result");
    assert.ok(
      llm.requests.every((r) => r.adapter === artifacts.locate("run-lora/round-1/train/adapter.gguf")),
    );
  });
});

describe("failures", () => {
  test("an evaluation that cannot run here is reported in EvalDone.error and nothing is stored", async () => {
    const { handle, outcomes } = handlerWith();
    await writeFixtureRun(artifacts, "run-fail");
    const knn = await runOnce(
      handle,
      fixtureWork("run-fail", { icl: { selection: DemoSelection.KNN, demos: 2 } }),
    );
    assert.equal(knn.done.outcome?.$case, "error");
    assert.equal(knn.done.outcome.value.code, ErrorCode.FAILED_PRECONDITION);
    assert.match(knn.done.outcome.value.message, /retrieval service/);

    const other = await runOnce(handle, fixtureWork("run-fail", { round: 2, baseModel: "Llama-3-70B" }));
    assert.equal(other.done.outcome?.$case, "error");
    assert.match(other.done.outcome.value.message, /runs model "tiny", but the work asks for "Llama-3-70B"/);

    const missing = await runOnce(
      handle,
      fixtureWork("run-fail", { round: 3, adapter: "run-fail/none.gguf" }),
    );
    assert.equal(missing.done.outcome?.$case, "error");
    assert.equal(missing.done.outcome.value.code, ErrorCode.NOT_FOUND);

    assert.equal(await artifacts.exists("run-fail/round-1/eval.jsonl"), false);
    assert.match(await outcomes(), /outcome="failed"} 3/);
  });

  test("an unknown run or a message naming another domain is poison: thrown, not answered", async () => {
    const { handle, llm } = handlerWith();
    await assert.rejects(handle(fixtureWork("run-nobody"), stageJob()), (err: unknown) => {
      return isIsaraError(err, "not_found") && err.message.includes("run-nobody/domain/domain.json");
    });
    await writeFixtureRun(artifacts, "run-other");
    const work = fixtureWork("run-other");
    const wrongDomain: EvalWork = {
      ...work,
      context: { run: "run-other", domain: "medicine", round: 1, correlationId: "req-x" },
    };
    await assert.rejects(handle(wrongDomain, stageJob()), (err: unknown) =>
      isIsaraError(err, "invalid_argument"),
    );
    assert.equal(llm.requests.length, 0);
  });

  test("an LLM that is down fails retryably and leaves no results; once it is back the work succeeds", async () => {
    const flaky = unavailableFor(model, 1);
    const { handle } = handlerWith(countingLlm(flaky));
    await writeFixtureRun(artifacts, "run-down");
    const work = fixtureWork("run-down");
    await assert.rejects(handle(work, stageJob()), (err: unknown) => isIsaraError(err) && err.retryable);
    assert.equal(await artifacts.exists(work.resultsKey), false);
    const { done } = await runOnce(handle, work);
    assert.equal(done.outcome?.$case, "result");
  });

  test("a stored evaluation of other work under the same key is a conflict, not a wrong answer", async () => {
    const { handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-conflict");
    await runOnce(handle, fixtureWork("run-conflict"));
    const otherModel = fixtureWork("run-conflict", { adapter: "run-conflict/round-1/train/adapter.gguf" });
    await assert.rejects(handle(otherModel, stageJob()), (err: unknown) => isIsaraError(err, "conflict"));
  });

  test("a shutdown abort stops the evaluation with a cancellation, leaving nothing behind", async () => {
    const { handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-abort");
    const work = fixtureWork("run-abort");
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(handle(work, stageJob(abort.signal)));
    assert.equal(await artifacts.exists(work.resultsKey), false);
  });
});
