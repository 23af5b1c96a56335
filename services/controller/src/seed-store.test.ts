/** The seed store against the REAL retrieval service (its built entry point as a child process: LanceDB store, hashing embedder): see `@isara/testkit/retrieval`. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { isIsaraError, seedSamples } from "@isara/core";
import { type RetrievalServiceForTests, startRetrievalService } from "@isara/testkit/retrieval";
import { tinySeeds } from "../testing/test-fixtures.js";
import { createRetrievalSeedStore } from "./seed-store.js";

let retrieval: RetrievalServiceForTests;
before(async () => {
  retrieval = await startRetrievalService();
});
after(async () => {
  await retrieval.close();
});

const context = { run: "alpha-1", domain: "alpha", round: 0, correlationId: "req-1" };

test("a run's seeds are stored as set 0, idempotently, whole", async () => {
  const store = createRetrievalSeedStore(retrieval.address);
  const seeds = seedSamples("alpha-1", "alpha", tinySeeds("alpha"));
  await store.storeSeeds(context, seeds);
  await store.storeSeeds(context, seeds);
  assert.deepEqual(await retrieval.list("alpha-1", 0), seeds, "stored once, lineage and ids kept");
  store.close();
});

test("a retrieval service that is down is `unavailable`: retry later", async () => {
  const down = await startRetrievalService();
  await down.stop();
  const store = createRetrievalSeedStore(down.address, { deadlineMs: 5000 });
  await assert.rejects(
    store.storeSeeds(context, seedSamples("alpha-1", "alpha", tinySeeds("alpha"))),
    (err) => isIsaraError(err, "unavailable") && /RetrievalService.Upsert/.test(err.message),
  );
  store.close();
  await down.close();
});
