import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { seedSamples } from "@isara/core";
import { repoRoot } from "../repo-root.js";
import { retrievalEntryPoint, startRetrievalService } from "./start-retrieval.js";

const BUILD = /npx turbo run build --filter=@isara\/retrieval/;
const built = existsSync(join(repoRoot(), "services", "retrieval", "dist", "main.js"));
const skip = built
  ? false
  : "the retrieval service is not built: npx turbo run build --filter=@isara/retrieval";

test("a repo without the built service is refused with the command that builds it", async () => {
  const root = await mkdtemp(join(tmpdir(), "isara-no-retrieval-"));
  try {
    assert.throws(() => retrievalEntryPoint(root), BUILD);
    await assert.rejects(startRetrievalService({ root }), BUILD);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("the built service runs as a child process: ready, stores and lists over gRPC, logs, stops, cleans up", {
  skip,
}, async () => {
  const retrieval = await startRetrievalService({ dimension: 8 });
  try {
    assert.match(retrieval.address, /^127\.0\.0\.1:\d+$/);
    assert.equal(retrieval.dimension, 8);
    assert.ok(existsSync(retrieval.lanceDir));
    assert.ok(
      retrieval.logs.some(
        (l) => l.msg === "embedding model loaded" && l.model === "feature-hashing" && l.dimension === 8,
      ),
      "the service runs the hashing embedder",
    );
    const seeds = seedSamples("run-t", "tiny", [
      { prompt: "What is a cat?", response: "A small animal." },
      { prompt: "What is a dog?", response: "A loyal animal." },
    ]);
    await retrieval.upsert(seeds);
    assert.deepEqual(await retrieval.list("run-t", 0), seeds);
    assert.equal(await retrieval.okCalls("Upsert"), 1);
    assert.equal(await retrieval.okCalls("ListSamples"), 1);
  } finally {
    await retrieval.stop();
  }
  await assert.rejects(retrieval.list("run-t", 0), /UNAVAILABLE/, "stopped: calls fail as UNAVAILABLE");
  assert.ok(existsSync(retrieval.lanceDir), "stop keeps the folder");
  await retrieval.close();
  await retrieval.close();
  assert.equal(existsSync(retrieval.lanceDir), false, "close deletes the folder");
});
