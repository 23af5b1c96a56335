/** Deleting a run's samples against the REAL retrieval service (its built entry point as a child process: LanceDB store, hashing embedder): see `@isara/testkit/retrieval`. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isIsaraError, seedSamples } from "@isara/core";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { tinySeeds } from "../testing/test-fixtures.js";
import { createRetrievalSampleCleanup } from "./run-samples.js";
import { createRetrievalSeedStore } from "./seed-store.js";

let retrieval: RetrievalServiceForTests;
before(async () => {
  retrieval = await startRetrievalService();
});
after(async () => {
  await retrieval.close();
});

const context = (run: string) => ({ run, domain: "alpha", round: 0, correlationId: `kube-delete/${run}` });

test("a deleted run's samples leave the retrieval service; other runs' stay; a retry deletes nothing", async () => {
  const seeds = createRetrievalSeedStore(retrieval.address);
  await seeds.storeSeeds(context("gone-1"), seedSamples("gone-1", "alpha", tinySeeds("alpha")));
  await seeds.storeSeeds(context("kept-1"), seedSamples("kept-1", "alpha", tinySeeds("alpha")));
  seeds.close();
  const cleanup = createRetrievalSampleCleanup(retrieval.address);
  assert.equal(await cleanup.deleteRunSamples(context("gone-1")), tinySeeds("alpha").length);
  assert.deepEqual(await retrieval.list("gone-1", 0), []);
  assert.equal((await retrieval.list("kept-1", 0)).length, tinySeeds("alpha").length);
  assert.equal(await cleanup.deleteRunSamples(context("gone-1")), 0);
  cleanup.close();
});

test("a retrieval service that is down is `unavailable`, so the finalizer retries later", async () => {
  const down = await startRetrievalService();
  await down.stop();
  const cleanup = createRetrievalSampleCleanup(down.address, { deadlineMs: 5000 });
  await assert.rejects(
    cleanup.deleteRunSamples(context("gone-2")),
    (err) => isIsaraError(err, "unavailable") && /RetrievalService.DeleteRunSamples/.test(err.message),
  );
  cleanup.close();
  await down.close();
});
