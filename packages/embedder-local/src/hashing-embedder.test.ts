import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { createHashingEmbedder, HASHING_EMBEDDER_MODEL_ID } from "./hashing-embedder.js";

test("createHashingEmbedder gives the same unit vector for the same words, whatever their case", async () => {
  const embedder = createHashingEmbedder({ dimension: 8 });
  const [a, b, c] = await embedder.embed(["Cats purr", "cats PURR", "dogs bark loudly"]);
  assert.equal(a?.length, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const v of [a, c]) {
    const norm = Math.hypot(...(v ?? []));
    assert.ok(Math.abs(norm - 1) < 1e-6, `norm ${norm}`);
  }
});

test("createHashingEmbedder maps a text without words to the first axis", async () => {
  const [v] = await createHashingEmbedder({ dimension: 4 }).embed(["?!"]);
  assert.deepEqual([...(v ?? [])], [1, 0, 0, 0]);
});

test("createHashingEmbedder counts embed calls, tells whether it was closed, and defaults to 16-d", async () => {
  const embedder = createHashingEmbedder();
  assert.equal(embedder.modelId, HASHING_EMBEDDER_MODEL_ID);
  assert.equal(embedder.modelId, "feature-hashing");
  assert.equal(embedder.dimension, 16);
  assert.equal(embedder.calls, 0);
  await embedder.embed(["one"]);
  await embedder.embed(["two", "three"]);
  assert.equal(embedder.calls, 2);
  assert.equal(embedder.closed, false);
  await embedder.close();
  assert.equal(embedder.closed, true);
});

test("createHashingEmbedder keeps the vectors it always gave (FNV-1a buckets, signed)", async () => {
  // FNV-1a("cats") = 0x9d2d8a9c: bucket 0 of 4, top bit set, so -1.
  const [v] = await createHashingEmbedder({ dimension: 4 }).embed(["cats"]);
  assert.deepEqual([...(v ?? [])], [-1, 0, 0, 0]);
});

test("createHashingEmbedder refuses a dimension that is not a whole number in range", () => {
  for (const dimension of [0, -1, 1.5, Number.NaN, 65_537]) {
    assert.throws(
      () => createHashingEmbedder({ dimension }),
      (err: unknown) => isIsaraError(err, "invalid_argument") && /dimension/.test((err as Error).message),
      String(dimension),
    );
  }
});
