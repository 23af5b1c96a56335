import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { vectorStoreContract } from "@isara/store-lancedb/contract";
import { QdrantClient } from "@qdrant/js-client-rest";
import { collectionNameFor, openQdrantVectorStore, QdrantVectorStore } from "./qdrant-vector-store.js";

const qdrantUrl = process.env.QDRANT_URL;

if (qdrantUrl === undefined || qdrantUrl === "") {
  test("VectorStore contract: Qdrant", {
    skip:
      "no Qdrant server can be installed on these machines (it ships as a container image or a release " +
      "binary, neither of which can be fetched here); to run the contract against a real server: " +
      "QDRANT_URL=http://localhost:6333 [QDRANT_API_KEY=...] node --test packages/store-qdrant/dist",
  }, () => {});
} else {
  const url = qdrantUrl;
  const apiKey = process.env.QDRANT_API_KEY || undefined;
  const prefix = `isara-test-${process.pid}-${Date.now().toString(36)}`;
  const created: string[] = [];
  let n = 0;
  vectorStoreContract(
    "Qdrant",
    async (dimension) => {
      const collection = `${prefix}-${n++}`;
      created.push(collection);
      return QdrantVectorStore.open({ url, apiKey, collection, dimension });
    },
    {
      cleanup: async () => {
        const client = new QdrantClient({
          url,
          checkCompatibility: false,
          ...(apiKey ? { headers: { "api-key": apiKey } } : {}),
        });
        for (const name of created) await client.deleteCollection(name);
      },
    },
  );

  describe("QdrantVectorStore on a real server", () => {
    it("refuses to open a collection that holds vectors of another dimension", async () => {
      const collection = `${prefix}-dim`;
      created.push(collection);
      const store = await openQdrantVectorStore({ url, apiKey, collection, dimension: 3 });
      await store.ping();
      await store.close();
      await assert.rejects(
        openQdrantVectorStore({ url, apiKey, collection, dimension: 384 }),
        (err: unknown) =>
          isIsaraError(err, "failed_precondition") && /holds 3-d Cosine.*384-d/.test(err.message),
      );
    });
  });
}

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
