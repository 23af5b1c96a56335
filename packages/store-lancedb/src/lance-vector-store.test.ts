import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isIsaraError, seedSamples } from "@isara/core";
import { vectorStoreContract } from "./contract.js";
import { LanceVectorStore, openLanceVectorStore } from "./lance-vector-store.js";

const base = await mkdtemp(join(tmpdir(), "isara-lancedb-"));
let n = 0;
const freshDir = () => join(base, `db-${n++}`);

vectorStoreContract("LanceDB", (dimension) => LanceVectorStore.open({ dir: freshDir(), dimension }), {
  cleanup: () => rm(base, { recursive: true, force: true }),
});

describe("LanceVectorStore on disk", () => {
  const dir = join(base, "persist");
  const seeds = seedSamples("run-1", "truthfulqa", [
    { prompt: "Is the Great Wall visible from space?", response: "No, not with the naked eye." },
    { prompt: "Do we use only 10% of our brains?", response: "No, we use virtually all of it." },
  ]);
  after(() => rm(dir, { recursive: true, force: true }));

  it("keeps samples across close and reopen of the same folder", async () => {
    const first = await openLanceVectorStore({ dir, dimension: 3 });
    await first.upsert(seeds, [Float32Array.from([1, 0, 0]), Float32Array.from([0, 1, 0])]);
    await first.close();
    const again = await LanceVectorStore.open({ dir, dimension: 3 });
    assert.deepEqual(
      (await again.list({ run: "run-1", setIndex: 0 })).map((s) => s.prompt),
      seeds.map((s) => s.prompt),
    );
    const [hit] = await again.search(Float32Array.from([0, 2, 0]), 1, { run: "run-1" });
    assert.equal(hit?.sample.id, seeds[1]?.id);
    assert.ok(Math.abs((hit?.score ?? 0) - 1) < 1e-5);
    await again.close();
  });

  it("refuses to open a folder that holds vectors of another dimension", async () => {
    await assert.rejects(
      LanceVectorStore.open({ dir, dimension: 384 }),
      (err: unknown) =>
        isIsaraError(err, "failed_precondition") && /holds 3-d vectors.*384-d/.test(err.message),
    );
  });

  it("fails clearly once closed", async () => {
    const store = await LanceVectorStore.open({ dir, dimension: 3 });
    await store.close();
    await assert.rejects(store.list({ run: "run-1" }), (err: unknown) =>
      isIsaraError(err, "failed_precondition"),
    );
  });

  it("serialises concurrent upserts so none is lost", async () => {
    const store = await LanceVectorStore.open({ dir: freshDir(), dimension: 3 });
    const many = seedSamples(
      "run-2",
      "d",
      Array.from({ length: 12 }, (_, i) => ({ prompt: `p${i}`, response: `r${i}` })),
    );
    await Promise.all(many.map((s, i) => store.upsert([s], [Float32Array.from([1, i, 0])])));
    assert.equal((await store.list({ run: "run-2" })).length, 12);
    await store.close();
  });

  it("rejects a dimension that is not a positive integer", async () => {
    await assert.rejects(LanceVectorStore.open({ dir: freshDir(), dimension: 0 }), (err: unknown) =>
      isIsaraError(err, "invalid_argument"),
    );
  });
});
