/**
 * The evaluation handler with and without a judge. The judge is the project's own OpenAI-compatible
 * server (`@isara/llm-server`) over a real tiny llama.cpp model, reached over HTTP by the service's
 * judge client; the evaluated model is the same tiny model in process. The tiny model's weights are
 * random, so its judgements never hold a verdict line: every one is counted as unparsed, which is
 * exactly what a user must see rather than an invented score. (SmolLM2-135M, the only real model on
 * hand, does not write the verdict line either; how parsed verdicts average into `judge_score` is
 * tested with the judge scorer in @isara/evaluators, and the handler passes every metric through.)
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { completionKey, ErrorCode, loadRunDomain } from "@isara/contracts";
import { isIsaraError } from "@isara/core";
import { createReferenceEvaluator, RUBRICS } from "@isara/evaluators";
import { createMetrics, freePort } from "@isara/kit";
import { llamaBackend } from "@isara/llm-backends";
import { createLlamaLlm, type LlamaLlm, writeTinyLlamaGguf } from "@isara/llm-llama";
import { FsArtifactStore } from "@isara/store-fs";
import { countingLlm } from "../testing/counting-llm.js";
import { metricsOf, readResults, runOnce, stageJob } from "../testing/handler-harness.js";
import { CHATML_TEMPLATE, type ServedJudge, serveJudge } from "../testing/judge-server-fixture.js";
import { FIXTURE_DOMAIN, FIXTURE_EVAL, fixtureWork, writeFixtureRun } from "../testing/run-fixture.js";
import { createEvalWorkHandler } from "./eval-work-handler.js";
import { type Judge, openJudge } from "./judge.js";
import type { JudgeConfig } from "./judge-env.js";
import { createEvaluationMetrics } from "./service-metrics.js";

let dir: string;
let modelPath: string;
let model: LlamaLlm;
let judgeModel: LlamaLlm;
let served: ServedJudge;
let artifacts: FsArtifactStore;
const opened: Judge[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-evaluation-judge-"));
  modelPath = join(dir, "tiny.gguf");
  await writeTinyLlamaGguf(modelPath);
  model = await createLlamaLlm({ modelPath, parallelism: 2, contextSize: 512 });
  // The rubric prompts are long in the tiny model's small vocabulary: give each sequence its full context.
  judgeModel = await createLlamaLlm({ modelPath, parallelism: 2, contextSize: 2048, specialTokens: true });
  served = await serveJudge(judgeModel, "tiny-judge", CHATML_TEMPLATE, [RUBRICS.quality, RUBRICS.harm]);
  artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
});
after(async () => {
  for (const judge of opened) await judge.chat.close();
  await served?.close();
  await judgeModel?.close();
  await model?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A handler over the tiny model, judged by `judge` when given (opened here, closed after the tests). */
function handlerWith(judgeConfig?: JudgeConfig) {
  const llm = countingLlm(model);
  const judge = judgeConfig === undefined ? undefined : openJudge(judgeConfig);
  if (judge !== undefined) opened.push(judge);
  const handle = createEvalWorkHandler({
    artifacts,
    backend: llamaBackend({ llm, tokenizer: model, modelPath, artifacts }),
    ...(judge === undefined ? {} : { judge }),
    metrics: createEvaluationMetrics(createMetrics()),
  });
  return { llm, handle };
}

async function storedEvaluator(resultsKey: string): Promise<string> {
  const record = JSON.parse(await readFile(join(artifacts.root, completionKey(resultsKey)), "utf8"));
  return (record as { evaluator: string }).evaluator;
}

describe("an evaluation with a judge", () => {
  test("EvalDone carries the judge's unparsed counts beside the reference metrics, and no invented score", async () => {
    const { handle } = handlerWith(served.config());
    await writeFixtureRun(artifacts, "run-judged");
    const before = served.llm.requests.length;
    const { done } = await runOnce(handle, fixtureWork("run-judged"));
    const metrics = metricsOf(done);

    for (const name of ["rougeL_diff", "rougeL_acc", "bleu_diff", "answer_words", "items"]) {
      assert.equal(typeof metrics[name], "number", `reference metric ${name} is still reported`);
    }
    assert.equal(metrics.judge_unparsed, FIXTURE_EVAL.length, "every quality judgement counted as unparsed");
    assert.equal(
      metrics.judge_harm_unparsed,
      FIXTURE_EVAL.length,
      "every harm judgement counted as unparsed",
    );
    assert.equal("judge_score" in metrics, false, "no mean of nothing reported as a score");
    assert.equal("judge_harmful_rate" in metrics, false);
    assert.equal(
      served.llm.requests.length - before,
      FIXTURE_EVAL.length * 2,
      "one judge request per answer and rubric, over HTTP",
    );
    assert.equal(
      await storedEvaluator("run-judged/round-1/eval.jsonl"),
      "reference+judge-quality+judge-harm",
    );
  });

  test("the results file keeps each question's judge replies, rubric, judge model and why nothing parsed", async () => {
    const { handle } = handlerWith(served.config());
    await writeFixtureRun(artifacts, "run-notes");
    const before = served.llm.requests.length;
    const { done } = await runOnce(handle, fixtureWork("run-notes"));
    assert.equal(done.outcome?.$case, "result");
    const samples = await readResults(artifacts.root, done.outcome.value.resultsKey);
    assert.deepEqual(
      samples.map((s) => s.id),
      FIXTURE_EVAL.map((q) => q.id),
    );
    const judgePrompts = served.llm.requests.slice(before).map((r) => r.prompt);
    for (const sample of samples) {
      assert.equal(sample.scores.judge_unparsed, 1);
      assert.equal(sample.scores.judge_harm_unparsed, 1);
      assert.equal(typeof sample.scores.rougeL_diff, "number");
      const notes = sample.notes ?? {};
      assert.equal(notes.judge_quality_rubric, "quality@1");
      assert.equal(notes.judge_harm_rubric, "harm@1");
      assert.equal(notes.judge_quality_model, "tiny-judge");
      assert.equal(typeof notes.judge_quality_reply, "string");
      assert.match(notes.judge_quality_problem ?? "", /no "Rating:" line/);
      assert.match(notes.judge_harm_problem ?? "", /Verdict: harmful\|harmless/);
      assert.ok(
        judgePrompts.some(
          (p) => p.includes(sample.prompt) && p.includes(`[Assistant reply]\n${sample.answer}`),
        ),
        `the judge saw question ${sample.id} with the answer the model gave`,
      );
    }
  });

  test("a redelivered EvalWork is answered from the stored results: the judge is not asked again", async () => {
    const { handle, llm } = handlerWith(served.config());
    await writeFixtureRun(artifacts, "run-judged-again");
    const work = fixtureWork("run-judged-again");
    const first = await runOnce(handle, work);
    const asked = served.llm.requests.length;
    const calls = llm.requests.length;
    const second = await runOnce(handle, work);
    assert.equal(served.llm.requests.length, asked, "no judge request");
    assert.equal(llm.requests.length, calls, "no completion");
    assert.deepEqual(second.message.value, first.message.value, "byte-identical EvalDone");
  });

  test("only the configured rubrics are judged", async () => {
    const { handle } = handlerWith(served.config({ rubrics: [RUBRICS.harm] }));
    await writeFixtureRun(artifacts, "run-harm-only");
    const metrics = metricsOf((await runOnce(handle, fixtureWork("run-harm-only"))).done);
    assert.equal(metrics.judge_harm_unparsed, FIXTURE_EVAL.length);
    assert.equal("judge_unparsed" in metrics, false, "no quality judgements");
  });
});

describe("judge failures", () => {
  test("a judge model the server does not serve fails the evaluation in EvalDone.error, with the server's words", async () => {
    const { handle } = handlerWith(served.config({ model: "no-such-judge" }));
    await writeFixtureRun(artifacts, "run-bad-judge");
    const work = fixtureWork("run-bad-judge");
    const { done } = await runOnce(handle, work);
    assert.equal(done.outcome?.$case, "error");
    assert.equal(done.outcome.value.code, ErrorCode.NOT_FOUND);
    assert.match(done.outcome.value.message, /no-such-judge/);
    assert.equal(await artifacts.exists(work.resultsKey), false, "no results without the judge's scores");
  });

  test("a judge server that is down fails retryably and stores nothing, so the stage retries the work", async () => {
    const port = await freePort();
    const { handle } = handlerWith(served.config({ baseUrl: `http://127.0.0.1:${port}` }));
    await writeFixtureRun(artifacts, "run-judge-down");
    const work = fixtureWork("run-judge-down");
    await assert.rejects(handle(work, stageJob()), (err: unknown) => isIsaraError(err) && err.retryable);
    assert.equal(await artifacts.exists(work.resultsKey), false);
  });
});

describe("an evaluation without a judge", () => {
  test("reports exactly the reference evaluator's metrics and per-question results, as before judges", async () => {
    const { handle } = handlerWith();
    await writeFixtureRun(artifacts, "run-plain");
    const work = fixtureWork("run-plain");
    const { done } = await runOnce(handle, work);
    const domain = await loadRunDomain(artifacts, "run-plain", FIXTURE_DOMAIN);
    // The same wrapper as the handler's model, so both see a model with the same capabilities.
    const reference = await createReferenceEvaluator({
      llm: countingLlm(model),
      sampling: domain.config.isara.answerSampling,
    }).evaluate({ baseModel: "tiny" }, domain.eval);
    assert.deepEqual(metricsOf(done), { ...reference.metrics });
    const samples = await readResults(artifacts.root, work.resultsKey);
    assert.deepEqual(samples, JSON.parse(JSON.stringify(reference.samples)));
    assert.ok(
      samples.every((s) => s.notes === undefined),
      "no notes field in results without a judge",
    );
    assert.equal(await storedEvaluator(work.resultsKey), "reference-rougeL");
  });
});
