/**
 * The two work handlers in process, without Kafka: a real tiny llama.cpp model (random weights,
 * written by the test), the real retrieval service over gRPC (LanceDB store, test embedder) holding
 * the run's seeds, and a real artifact folder. What a user of the stage would notice: the result
 * messages, their lineage, the records left behind, whether the model ran, and that the distributed
 * stage writes what the embedded mode writes from the same seeds.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  type AnswerWritten,
  decodeTopicMessage,
  type PromptWritten,
  TOPICS,
  type TopicSpec,
} from "@isara/contracts";
import { IsaraError, isIsaraError, PROMPT_TEMPLATE_VERSION, sampleId } from "@isara/core";
import { writeAnswers, writePrompts } from "@isara/core/pipeline";
import { createHashingEmbedder } from "@isara/embedder-local";
import type { OutgoingMessage, StageJob } from "@isara/kafka-kit";
import { createMetrics, createRootLogger } from "@isara/kit";
import { llamaBackend } from "@isara/llm-backends";
import { createLlamaLlm, type LlamaLlm, writeTinyLlamaGguf } from "@isara/llm-llama";
import { FsArtifactStore } from "@isara/store-fs";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { countingLlm } from "../testing/counting-llm-for-tests.js";
import {
  FIXTURE_CONFIG,
  fixtureAnswerWork,
  fixturePromptWork,
  fixtureSeeds,
  writeFixtureSnapshot,
} from "../testing/slot-fixture.js";
import { createAnswerWorkHandler } from "./answer-work-handler.js";
import { createRetrievalDemoSource, type DemoSource } from "./demo-source.js";
import { createPromptWorkHandler } from "./prompt-work-handler.js";
import { createGenerationMetrics } from "./service-metrics.js";
import { slotRecordKey } from "./slot-record.js";

let dir: string;
let modelPath: string;
let model: LlamaLlm;
let artifacts: FsArtifactStore;
let retrieval: RetrievalServiceForTests;
let demos: DemoSource;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-generation-"));
  modelPath = join(dir, "tiny.gguf");
  await writeTinyLlamaGguf(modelPath);
  model = await createLlamaLlm({ modelPath, parallelism: 2, contextSize: 512 });
  artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
  retrieval = await startRetrievalService();
  for (const run of ["run-p", "run-a", "run-e"]) {
    await retrieval.upsert(fixtureSeeds(run));
    await writeFixtureSnapshot(artifacts, run);
  }
  demos = createRetrievalDemoSource({ address: retrieval.address, timeoutMs: 10_000 });
});
after(async () => {
  demos?.close();
  await retrieval?.close();
  await model?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const logger = createRootLogger({ level: "silent", name: "generation-test" });

function stageJob(signal = new AbortController().signal): StageJob {
  return { signal, logger, attempt: 1, source: { topic: TOPICS.promptWork.name, partition: 0, offset: "0" } };
}

/** Handlers over a counting wrapper of the model, with fresh metrics. */
function handlers(source: DemoSource = demos) {
  const llm = countingLlm(model);
  const deps = {
    artifacts,
    backend: llamaBackend({ llm, tokenizer: model, modelPath, artifacts }),
    demos: source,
    metrics: createGenerationMetrics(createMetrics()),
  };
  return { llm, prompt: createPromptWorkHandler(deps), answer: createAnswerWorkHandler(deps) };
}

function only<T>(
  out: readonly OutgoingMessage[],
  topic: TopicSpec<T>,
): { message: OutgoingMessage; value: T } {
  assert.equal(out.length, 1, "one result per work");
  const [message] = out;
  assert.ok(message);
  assert.equal(message.topic, topic.name);
  return { message, value: decodeTopicMessage(topic, message.value) };
}

describe("a PromptWork", () => {
  test("gets a prompt written from K random seed demos, with its lineage and a record", async () => {
    const { llm, prompt } = handlers();
    const work = fixturePromptWork("run-p", 3, { correlationId: "req-7" });
    const { message, value } = only(await prompt(work, stageJob()), TOPICS.promptWritten);
    assert.equal(message.key, "run-p");
    assert.deepEqual(message.headers, {
      "x-request-id": "req-7",
      "x-isara-run": "run-p",
      "x-isara-domain": "tiny-gen",
      "x-isara-round": "1",
    });
    assert.equal(value.idempotencyKey, sampleId("run-p", 1, 3));
    assert.equal(value.slot, 3);
    assert.equal(value.generatorModel, "tiny");
    const seedIds = new Set(fixtureSeeds("run-p").map((s) => s.id));
    assert.equal(value.promptDemos.length + value.droppedDemos, 4, "K = 4 demos chosen");
    assert.ok(value.promptDemos.length > 0);
    for (const demo of value.promptDemos) {
      assert.ok(seedIds.has(demo.id), `demo ${demo.id} is a seed of the run`);
      assert.equal(demo.setIndex, 0);
      assert.equal(demo.score, undefined, "random picks carry no score");
    }
    assert.equal(llm.requests.length, 1);
    assert.equal(llm.requests[0]?.seed, work.samplingSeed);
    assert.equal(llm.requests[0]?.maxTokens, 12);
    assert.match(llm.requests[0]?.prompt ?? "", /USER:$/, "the prompt ends open at the user turn");
    const record = JSON.parse(
      await readFile(join(dir, "artifacts", slotRecordKey("run-p", 1, "prompts", 3)), "utf8"),
    ) as { result: { prompt: string } };
    assert.equal(record.result.prompt, value.prompt);
  });

  test("delivered again, is answered from its record: identical bytes, no model call", async () => {
    const { llm, prompt } = handlers();
    const work = fixturePromptWork("run-p", 3, { correlationId: "req-7" });
    const first = only(await prompt(work, stageJob()), TOPICS.promptWritten);
    const second = only(await prompt(work, stageJob()), TOPICS.promptWritten);
    assert.deepEqual(second.message, first.message);
    assert.equal(llm.requests.length, 0, "no completion for a redelivery");
  });

  test("writes what the embedded mode writes for the same run seed, round and slot", async () => {
    const { prompt } = handlers();
    const { value } = only(await prompt(fixturePromptWork("run-e", 5), stageJob()), TOPICS.promptWritten);
    const [embedded] = await writePrompts(
      { config: FIXTURE_CONFIG, round: 1, slots: [5], sets: [fixtureSeeds("run-e")] },
      { llm: model, tokenizer: model },
    );
    assert.ok(embedded);
    assert.equal(value.prompt, embedded.prompt);
    assert.deepEqual(
      value.promptDemos.map((d) => d.id),
      embedded.promptDemos.map((d) => d.id),
    );
    assert.equal(value.truncated, embedded.truncated);
  });

  test("is refused for good when it names another model, or other work claims its slot", async () => {
    const { llm, prompt } = handlers();
    await assert.rejects(
      prompt(fixturePromptWork("run-p", 4, { baseModel: "SmolLM2-135M" }), stageJob()),
      (err: unknown) => isIsaraError(err, "failed_precondition") && /runs model "tiny"/.test(err.message),
    );
    await assert.rejects(
      prompt(fixturePromptWork("run-p", 3, { adapter: "run-p/round-0/train/adapter.gguf" }), stageJob()),
      (err: unknown) => isIsaraError(err, "conflict") && /prompts\/3\.json already holds/.test(err.message),
    );
    assert.equal(llm.requests.length, 0);
  });

  test("fails as retryable while the retrieval service cannot be reached, without touching the model", async () => {
    const nowhere = createRetrievalDemoSource({ address: "127.0.0.1:1", timeoutMs: 5000 });
    try {
      const { llm, prompt } = handlers(nowhere);
      await assert.rejects(prompt(fixturePromptWork("run-p", 6), stageJob()), (err: unknown) => {
        assert.ok(err instanceof IsaraError);
        assert.equal(err.code, "unavailable");
        assert.equal(err.retryable, true);
        return true;
      });
      assert.equal(llm.requests.length, 0);
    } finally {
      nowhere.close();
    }
  });
});

describe("an AnswerWork", () => {
  test("gets a candidate answered with the prompt's nearest seeds; lineage keeps both demo lists", async () => {
    const { llm, prompt, answer } = handlers();
    const written: PromptWritten = only(
      await prompt(fixturePromptWork("run-a", 0), stageJob()),
      TOPICS.promptWritten,
    ).value;
    const question = "Is the world a box of 3 things?";
    const work = fixtureAnswerWork("run-a", 0, question, written.promptDemos);
    const { message, value } = only(await answer(work, stageJob()), TOPICS.answerWritten);
    assert.equal(message.key, "run-a");
    const candidate = value.candidate;
    assert.ok(candidate);
    assert.equal(candidate.id, sampleId("run-a", 1, 0));
    assert.equal(candidate.setIndex, 1);
    assert.equal(candidate.round, 1);
    assert.equal(candidate.prompt, question);
    assert.equal(candidate.lineage?.promptTemplateVersion, PROMPT_TEMPLATE_VERSION);
    assert.equal(candidate.lineage?.generatorModel, "tiny");
    assert.deepEqual(candidate.lineage?.verdicts, []);
    assert.deepEqual(candidate.lineage?.promptDemos, written.promptDemos);
    const answerDemos = candidate.lineage?.answerDemos ?? [];
    assert.ok(answerDemos.length > 0 && answerDemos.length <= 4);
    for (const demo of answerDemos) assert.equal(typeof demo.score, "number", "nearest picks carry a score");
    const scores = answerDemos.map((d) => d.score ?? 0);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => a - b),
      "most similar last, next to the question",
    );
    assert.match(llm.requests.at(-1)?.prompt ?? "", /USER: Is the world a box of 3 things\? ASSISTANT:$/);

    const again: AnswerWritten = only(await answer(work, stageJob()), TOPICS.answerWritten).value;
    assert.deepEqual(again, value);
    assert.equal(llm.requests.length, 2, "one prompt and one answer; the redelivery called nothing");
  });

  test("answers what the embedded mode answers for the same prompt, seeds and run seed", async () => {
    const { answer } = handlers();
    const question = "Is a box of 5 things in the world?";
    const work = fixtureAnswerWork("run-e", 2, question, []);
    const { value } = only(await answer(work, stageJob()), TOPICS.answerWritten);
    const embedder = createHashingEmbedder();
    const store = await openLanceVectorStore({
      dir: join(dir, "embedded-vectors"),
      dimension: embedder.dimension,
    });
    try {
      const seeds = fixtureSeeds("run-e");
      await store.upsert(seeds, await embedder.embed(seeds.map((s) => s.prompt)));
      const [embedded] = await writeAnswers(
        {
          run: "run-e",
          config: FIXTURE_CONFIG,
          round: 1,
          prompts: [{ slot: 2, prompt: question, promptDemos: [], droppedDemos: 0, truncated: false }],
          setSizes: [seeds.length],
        },
        { llm: model, tokenizer: model, embedder, store },
      );
      assert.ok(embedded);
      assert.equal(value.candidate?.response, embedded.response);
      assert.deepEqual(
        value.candidate?.lineage?.answerDemos.map((d) => d.id),
        embedded.answerDemos.map((d) => d.id),
      );
    } finally {
      await store.close();
    }
  });

  test("an empty prompt gets an empty answer without a model or retrieval call", async () => {
    const nowhere = createRetrievalDemoSource({ address: "127.0.0.1:1", timeoutMs: 1000 });
    try {
      const { llm, answer } = handlers(nowhere);
      const out = await answer(fixtureAnswerWork("run-a", 9, "", []), stageJob());
      const { value } = only(out, TOPICS.answerWritten);
      assert.equal(value.candidate?.response, "");
      assert.deepEqual(value.candidate?.lineage?.answerDemos, []);
      assert.equal(value.truncated, false);
      assert.equal(llm.requests.length, 0);
    } finally {
      nowhere.close();
    }
  });
});

describe("a run's sampling and token budget", () => {
  /** A demo source that gives no demos: the slot is written from its settings alone. */
  const noDemos: DemoSource = {
    selectDemos: async () => ({ picks: [], dropFrom: "end" }),
    readiness: () => "ok",
    close: () => undefined,
  };

  test("come from the run's domain snapshot; the copies an older controller still sends are ignored", async () => {
    await writeFixtureSnapshot(artifacts, "run-s", {
      ...FIXTURE_CONFIG,
      isara: {
        ...FIXTURE_CONFIG.isara,
        promptSampling: { ...FIXTURE_CONFIG.isara.promptSampling, maxTokens: 7 },
        answerSampling: { ...FIXTURE_CONFIG.isara.answerSampling, maxTokens: 5 },
      },
    });
    const { llm, prompt, answer } = handlers(noDemos);
    const stale = { maxTokens: 40, temperature: 0.1, topP: 0.5, repetitionPenalty: 1 };
    await prompt({ ...fixturePromptWork("run-s", 1), sampling: stale, promptBudgetTokens: 64 }, stageJob());
    await answer(
      { ...fixtureAnswerWork("run-s", 1, "What is a box?", []), sampling: stale, promptBudgetTokens: 64 },
      stageJob(),
    );
    assert.deepEqual(
      llm.requests.map((r) => r.maxTokens),
      [7, 5],
    );
  });

  test("a work of a run without a snapshot is refused as not_found, without touching the model", async () => {
    const { llm, prompt } = handlers(noDemos);
    await assert.rejects(prompt(fixturePromptWork("run-none", 1), stageJob()), (err: unknown) =>
      isIsaraError(err, "not_found"),
    );
    assert.equal(llm.requests.length, 0);
  });
});
