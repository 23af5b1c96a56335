import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, it, test } from "node:test";
import { isIsaraError, seedSamples } from "@isara/core";
import { vectorStoreContract } from "@isara/store-lancedb/contract";
import { qdrantSkipReason, testQdrant } from "@isara/testkit";
import { QdrantClient } from "@qdrant/js-client-rest";
import { collectionNameFor, openQdrantVectorStore, QdrantVectorStore } from "./qdrant-vector-store.js";

const skip = qdrantSkipReason();

if (skip !== false) {
  test("VectorStore contract: Qdrant", { skip }, () => {});
} else {
  // QDRANT_URL's server when set (e.g. a deployed one), else a fresh server from the pinned binary.
  const qdrant = await testQdrant();
  const { url, apiKey } = qdrant;
  const prefix = `isara-test-${process.pid}-${Date.now().toString(36)}`;
  const client = new QdrantClient({
    url,
    checkCompatibility: false,
    ...(apiKey ? { headers: { "api-key": apiKey } } : {}),
  });
  let n = 0;
  after(() => qdrant.stop());
  vectorStoreContract("Qdrant", (dimension) =>
    QdrantVectorStore.open({ url, apiKey, collection: `${prefix}-${n++}`, dimension }),
  );

  describe("QdrantVectorStore on a real server", () => {
    it("refuses to open a collection that holds vectors of another dimension", async () => {
      const collection = `${prefix}-dim`;
      const store = await openQdrantVectorStore({ url, apiKey, collection, dimension: 3 });
      await store.ping();
      await store.close();
      await assert.rejects(
        openQdrantVectorStore({ url, apiKey, collection, dimension: 384 }),
        (err: unknown) =>
          isIsaraError(err, "failed_precondition") && /holds 3-d Cosine.*384-d/.test(err.message),
      );
    });

    it("deletes a run's points from the shared collection, whatever their set or round", async () => {
      const collection = `${prefix}-delete`;
      const store = await openQdrantVectorStore({ url, apiKey, collection, dimension: 2 });
      const seeds = seedSamples("doomed", "d", [
        { prompt: "p0", response: "r0" },
        { prompt: "p1", response: "r1" },
      ]);
      const other = seedSamples("other", "d", [{ prompt: "p0", response: "r0" }]);
      await store.upsert([...seeds, ...other], [vec(1, 0), vec(0, 1), vec(1, 1)]);
      assert.equal(await store.deleteRun("doomed"), 2);
      const { count } = await client.count(collection, { exact: true });
      assert.equal(count, 1, "only the other run's point is left in the collection");
      await store.close();
    });
  });

  // Last in the file (tests run in order): what a run of this suite leaves on the server is nothing.
  test("the suite deletes every collection it made", async () => {
    const ours = async () =>
      (await client.getCollections()).collections
        .map((c) => c.name)
        .filter((name) => name.startsWith(prefix));
    const made = await ours();
    assert.ok(made.length > 1, `the suite made collections (${made.join(", ")})`);
    for (const name of made) await client.deleteCollection(name);
    assert.deepEqual(await ours(), [], "collections left behind on the server");
  });
}

const vec = (...xs: number[]) => Float32Array.from(xs);

/** A TCP port on loopback that nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("openQdrantVectorStore without a server", () => {
  it("fails with unavailable, naming the URL, when nothing listens there", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await assert.rejects(
      openQdrantVectorStore({ url, collection: "samples", dimension: 4, timeoutMs: 5000 }),
      (err: unknown) =>
        isIsaraError(err, "unavailable") &&
        err.message.includes(`cannot reach Qdrant at ${url}`) &&
        err.message.includes("(ECONNREFUSED)") &&
        err.message.includes("QDRANT_URL"),
    );
  });

  it("refuses a URL without scheme, a bad dimension and a bad collection name before connecting", async () => {
    const invalid = (err: unknown) => isIsaraError(err, "invalid_argument");
    await assert.rejects(
      openQdrantVectorStore({ url: "qdrant:6333", collection: "s", dimension: 4 }),
      invalid,
    );
    await assert.rejects(
      openQdrantVectorStore({ url: "http://q:6333", collection: "s", dimension: 0 }),
      invalid,
    );
    await assert.rejects(
      openQdrantVectorStore({ url: "http://q:6333", collection: "a/b", dimension: 4 }),
      invalid,
    );
  });

  it("names a prefixed collection after the dimension, so a new embedding model gets a new collection", () => {
    assert.equal(
      collectionNameFor({ url: "http://q", collectionPrefix: "isara-samples-", dimension: 384 }),
      "isara-samples-384d",
    );
    assert.equal(collectionNameFor({ url: "http://q", collection: "samples", dimension: 384 }), "samples");
  });
});
