import assert from "node:assert/strict";
import { test } from "node:test";
import { hashEmbedderForTests } from "./hash-embedder.js";

test("hashEmbedderForTests gives the same unit vector for the same words, whatever their case", async () => {
  const embedder = hashEmbedderForTests(8);
  const [a, b, c] = await embedder.embed(["Cats purr", "cats PURR", "dogs bark loudly"]);
  assert.equal(a?.length, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const v of [a, c]) {
    const norm = Math.hypot(...(v ?? []));
    assert.ok(Math.abs(norm - 1) < 1e-6, `norm ${norm}`);
  }
});

test("hashEmbedderForTests maps a text without words to the first axis", async () => {
  const [v] = await hashEmbedderForTests(4).embed(["?!"]);
  assert.deepEqual([...(v ?? [])], [1, 0, 0, 0]);
});

test("hashEmbedderForTests counts embed calls, tells whether it was closed, and defaults to 16-d", async () => {
  const embedder = hashEmbedderForTests();
  assert.equal(embedder.modelId, "hash-embedder-for-tests");
  assert.equal(embedder.dimension, 16);
  assert.equal(embedder.calls, 0);
  await embedder.embed(["one"]);
  await embedder.embed(["two", "three"]);
  assert.equal(embedder.calls, 2);
  assert.equal(embedder.closed, false);
  await embedder.close();
  assert.equal(embedder.closed, true);
});
