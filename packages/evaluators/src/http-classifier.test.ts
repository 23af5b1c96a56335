import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { type EvalItem, isIsaraError } from "@isara/core";
import { startFakeModerationServer } from "../testing/fake-moderation-server.js";
import { createClassifierScorer } from "./classifier-scorer.js";
import { createHttpClassifier } from "./http-classifier.js";

const texts = ["How do I bake bread?", "How to build a bomb", "Tell me about cats"];

describe("createHttpClassifier against the FAKE moderation server", async () => {
  const server = await startFakeModerationServer();
  after(() => server.close());

  it("speaks the OpenAI moderations format: category_scores per input", async () => {
    const classifier = createHttpClassifier({
      baseUrl: server.url,
      format: "openai-moderations",
      model: "omni-moderation-latest",
      apiKey: "k1",
    });
    const results = await classifier.classify(texts);
    assert.deepEqual(
      results.map((r) => r.scores.violence),
      [0.02, 0.9, 0.02],
    );
    assert.equal(results[0]?.scores.harassment, 0.01);
    const request = server.requests.at(-1);
    assert.equal(request?.path, "/v1/moderations");
    assert.deepEqual(request?.body, { input: texts, model: "omni-moderation-latest" });
    assert.equal(request?.authorization, "Bearer k1");
    assert.equal(classifier.modelId, "omni-moderation-latest");
  });

  it("accepts a baseUrl that already ends in /v1", async () => {
    const classifier = createHttpClassifier({ baseUrl: `${server.url}/v1/`, format: "openai-moderations" });
    assert.equal((await classifier.classify(["hurt someone"]))[0]?.scores.violence, 0.9);
  });

  it("speaks the TEI /predict format: a label/score list per input", async () => {
    const classifier = createHttpClassifier({ baseUrl: server.url, format: "tei", batchSize: 2 });
    const before = server.requests.length;
    const results = await classifier.classify(texts);
    assert.deepEqual(
      results.map((r) => r.scores.toxic),
      [0.02, 0.9, 0.02],
    );
    assert.deepEqual(results[1]?.scores, { toxic: 0.9, non_toxic: 0.1 });
    const sent = server.requests.slice(before);
    assert.deepEqual(
      sent.map((r) => r.path),
      ["/predict", "/predict"],
    );
    assert.deepEqual(
      sent.map((r) => r.body),
      [
        { inputs: texts.slice(0, 2), truncate: true },
        { inputs: texts.slice(2), truncate: true },
      ],
    );
  });

  it("sends nothing for no texts", async () => {
    const before = server.requests.length;
    assert.deepEqual(await createHttpClassifier({ baseUrl: server.url, format: "tei" }).classify([]), []);
    assert.equal(server.requests.length, before);
  });

  it("feeds the classifier scorer, which names the returned labels when the wanted one is missing", async () => {
    const classifier = createHttpClassifier({ baseUrl: server.url, format: "tei" });
    const item: EvalItem = { id: "q", prompt: "q?", correct: ["x"], incorrect: [] };
    const answers = texts.map((answer) => ({ item, answer }));
    const rate = await createClassifierScorer({ classifier, label: "toxic", threshold: 0.5 }).score(answers);
    assert.equal(rate.metrics.harmful_rate, 1 / 3);
    await assert.rejects(
      createClassifierScorer({ classifier, label: "violence", threshold: 0.5 }).score(answers),
      (err) =>
        isIsaraError(err, "invalid_argument") &&
        /returned: non_toxic, toxic|returned: toxic, non_toxic/.test(err.message),
    );
  });

  it("refuses a bad baseUrl at construction and fails fast, without retrying, on a 404", async () => {
    assert.throws(
      () => createHttpClassifier({ baseUrl: "localhost:8080", format: "tei" }),
      (err) => isIsaraError(err, "invalid_argument"),
    );
    const wrongPath = createHttpClassifier({
      baseUrl: `${server.url}/nothing-here`,
      format: "tei",
      retryDelayMs: 0,
    });
    const before = server.requests.length;
    await assert.rejects(
      wrongPath.classify(["x"]),
      (err) =>
        isIsaraError(err, "not_found") &&
        err.message.includes(`${server.url}/nothing-here/predict replied 404`),
    );
    assert.equal(server.requests.length, before + 1);
  });
});

describe("createHttpClassifier retries", () => {
  it("retries a 503 and then succeeds", async () => {
    const server = await startFakeModerationServer({ failFirst: 2 });
    try {
      const classifier = createHttpClassifier({
        baseUrl: server.url,
        format: "openai-moderations",
        retryDelayMs: 1,
        maxRetries: 3,
      });
      const results = await classifier.classify(["attack plan"]);
      assert.equal(results[0]?.scores.violence, 0.9);
      assert.equal(server.requests.length, 3);
    } finally {
      await server.close();
    }
  });

  it("gives up after maxRetries with an error naming the URL and the status", async () => {
    const server = await startFakeModerationServer({ failFirst: 10, failStatus: 503 });
    try {
      const classifier = createHttpClassifier({
        baseUrl: server.url,
        format: "tei",
        retryDelayMs: 1,
        maxRetries: 2,
      });
      await assert.rejects(
        classifier.classify(["x"]),
        (err) =>
          isIsaraError(err, "unavailable") &&
          err.message.includes(`POST ${server.url}/predict replied 503`) &&
          /after 3 attempts/.test(err.message),
      );
      assert.equal(server.requests.length, 3);
    } finally {
      await server.close();
    }
  });

  it("retries a request that timed out", async () => {
    const server = await startFakeModerationServer({ stallFirst: 1 });
    try {
      const classifier = createHttpClassifier({
        baseUrl: server.url,
        format: "tei",
        timeoutMs: 1000,
        retryDelayMs: 1,
      });
      assert.equal((await classifier.classify(["kill"]))[0]?.scores.toxic, 0.9);
      assert.equal(server.requests.length, 2);
    } finally {
      await server.close();
    }
  });

  it("reports a timeout as deadline_exceeded once retries run out", async () => {
    const server = await startFakeModerationServer({ stallFirst: 5 });
    try {
      const classifier = createHttpClassifier({
        baseUrl: server.url,
        format: "tei",
        timeoutMs: 100,
        maxRetries: 1,
        retryDelayMs: 1,
      });
      await assert.rejects(
        classifier.classify(["x"]),
        (err) => isIsaraError(err, "deadline_exceeded") && err.message.includes(server.url),
      );
    } finally {
      await server.close();
    }
  });

  it("reports an unreachable server as unavailable, naming the URL", async () => {
    const server = await startFakeModerationServer();
    const { url } = server;
    await server.close();
    const classifier = createHttpClassifier({
      baseUrl: url,
      format: "openai-moderations",
      maxRetries: 1,
      retryDelayMs: 1,
    });
    await assert.rejects(
      classifier.classify(["x"]),
      (err) => isIsaraError(err, "unavailable") && err.message.includes(`${url}/v1/moderations`),
    );
  });
});
