/** The filter step's ports over the real retrieval service (a child process: LanceDB, hashing embedder). */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { fixtureCandidates } from "../testing/filter-fixture.js";
import { createRetrievalClient, type RetrievalClient } from "./retrieval-client.js";
import { RETRIEVAL_BATCH, retrievalFilterPorts } from "./retrieval-ports.js";

const context = { run: "run-p", domain: "tiny-truth", round: 1, correlationId: "req-p" };
let retrieval: RetrievalServiceForTests;
let client: RetrievalClient;

before(async () => {
  retrieval = await startRetrievalService();
  client = createRetrievalClient({ address: retrieval.address, timeoutMs: 10_000 });
});

after(async () => {
  client?.close();
  await retrieval?.close();
});

test("upsert stores through gRPC what the store then holds; list and search answer as the store does", async (t) => {
  const { embedder, store } = retrievalFilterPorts(client, context, new AbortController().signal);
  const samples = fixtureCandidates("run-p");
  const vectors = await embedder.embed(samples.map((s) => s.prompt));
  assert.equal(embedder.modelId, "feature-hashing");
  assert.equal(embedder.dimension, 16);
  await store.upsert(samples, vectors);

  // The LanceDB folder the service writes, opened here after the upsert: what the service holds.
  const held = await openLanceVectorStore({ dir: retrieval.lanceDir, dimension: retrieval.dimension });
  t.after(() => held.close());
  assert.deepEqual(await store.list({ run: "run-p" }), await held.list({ run: "run-p" }));
  const query = vectors[5] ?? assert.fail("no vector");
  const filter = { run: "run-p", setIndex: 1 };
  // The 16-d test embedder gives equal scores to some samples, and a flat search orders ties as it
  // likes: so the top 3 are compared by score, and every sample of the set by id and score.
  const top = await store.search(query, 3, filter);
  const topTheirs = await held.search(query, 3, filter);
  assert.equal(top.length, 3);
  for (const [i, hit] of top.entries()) assert.ok(Math.abs(hit.score - (topTheirs[i]?.score ?? 0)) < 1e-5);
  const scores = async (s: typeof store) =>
    new Map((await s.search(query, samples.length, filter)).map((h) => [h.sample.id, h.score]));
  const ours = await scores(store);
  const theirs = await scores(held);
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
  for (const [id, score] of ours) assert.ok(Math.abs(score - (theirs.get(id) ?? 0)) < 1e-5, id);
});

test("more texts than one call may carry are embedded in batches, in order", async () => {
  const { embedder } = retrievalFilterPorts(client, context, new AbortController().signal);
  const texts = Array.from({ length: RETRIEVAL_BATCH + 3 }, (_, i) => `text number ${i} of many`);
  const before = await retrieval.okCalls("Embed");
  const vectors = await embedder.embed(texts);
  assert.equal(vectors.length, texts.length);
  assert.equal((await retrieval.okCalls("Embed")) - before, 2);
  const [last] = await embedder.embed([texts[texts.length - 1] ?? ""]);
  assert.deepEqual(vectors[vectors.length - 1], last);
});

test("the ports touch only their own run, and a cancelled work makes no call", async () => {
  const { store } = retrievalFilterPorts(client, context, new AbortController().signal);
  assert.throws(() => store.list({ run: "run-other" }), /asked for samples of run run-other/);
  const abort = new AbortController();
  abort.abort();
  const cancelled = retrievalFilterPorts(client, context, abort.signal);
  await assert.rejects(cancelled.embedder.embed(["a text"]), (err: unknown) =>
    isIsaraError(err, "cancelled"),
  );
});
