import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/kit";
import { loadRetrievalConfig } from "./config.js";

describe("loadRetrievalConfig", () => {
  it("defaults to Qdrant with a per-dimension collection prefix and the standard ports", () => {
    const config = loadRetrievalConfig({ QDRANT_URL: "http://qdrant:6333" });
    assert.deepEqual(config.store, {
      backend: "qdrant",
      url: "http://qdrant:6333/",
      apiKey: undefined,
      collection: undefined,
      collectionPrefix: "isara-samples-",
      timeoutMs: 30_000,
    });
    assert.equal(config.grpcPort, 50051);
    assert.equal(config.httpPort, 8080);
    assert.equal(config.shutdownTimeoutMs, 15_000);
  });

  it("reads a LanceDB folder, the embedder and the shutdown timeout", () => {
    const config = loadRetrievalConfig({
      VECTOR_BACKEND: "lancedb",
      LANCEDB_DIR: "/data/vectors",
      EMBEDDER_DIR: "/models/minilm",
      EMBEDDER_THREADS: "2",
      GRPC_PORT: "9000",
      SHUTDOWN_TIMEOUT: "5s",
      LOG_LEVEL: "DEBUG",
    });
    assert.deepEqual(config.store, { backend: "lancedb", dir: "/data/vectors" });
    assert.deepEqual(config.embedder, { backend: "local", modelDir: "/models/minilm", threads: 2 });
    assert.equal(config.grpcPort, 9000);
    assert.equal(config.shutdownTimeoutMs, 5000);
    assert.equal(config.logLevel, "debug");
  });

  it("lists every problem at once, including the backend's missing location", () => {
    assert.throws(
      () => loadRetrievalConfig({ VECTOR_BACKEND: "qdrant", GRPC_PORT: "80800", SHUTDOWN_TIMEOUT: "15" }),
      (err: unknown) =>
        isIsaraError(err, "invalid_argument") &&
        /3 problems/.test(err.message) &&
        /GRPC_PORT: is "80800"/.test(err.message) &&
        /SHUTDOWN_TIMEOUT: is "15"/.test(err.message) &&
        /QDRANT_URL: is not set \(required when VECTOR_BACKEND=qdrant/.test(err.message),
    );
    assert.throws(
      () => loadRetrievalConfig({ VECTOR_BACKEND: "lancedb" }),
      (err: unknown) => isIsaraError(err) && /LANCEDB_DIR: is not set/.test(err.message),
    );
    assert.throws(
      () => loadRetrievalConfig({ VECTOR_BACKEND: "faiss" }),
      (err: unknown) =>
        isIsaraError(err) &&
        /VECTOR_BACKEND: is "faiss" \(expected one of: qdrant, lancedb\)/.test(err.message),
    );
  });

  it("runs the packaged model unless EMBEDDER_BACKEND=hashing, whose dimension defaults to 16", () => {
    const lance = { VECTOR_BACKEND: "lancedb", LANCEDB_DIR: "/data/vectors" };
    assert.deepEqual(loadRetrievalConfig(lance).embedder, {
      backend: "local",
      modelDir: undefined,
      threads: undefined,
    });
    assert.deepEqual(loadRetrievalConfig({ ...lance, EMBEDDER_BACKEND: "hashing" }).embedder, {
      backend: "hashing",
      dimension: 16,
    });
    assert.deepEqual(
      loadRetrievalConfig({ ...lance, EMBEDDER_BACKEND: "hashing", EMBEDDER_DIMENSION: "384" }).embedder,
      { backend: "hashing", dimension: 384 },
    );
  });

  it("refuses an unknown embedder, a bad dimension, and a dimension the local model would ignore", () => {
    const lance = { VECTOR_BACKEND: "lancedb", LANCEDB_DIR: "/data/vectors" };
    assert.throws(
      () => loadRetrievalConfig({ ...lance, EMBEDDER_BACKEND: "tei" }),
      (err: unknown) =>
        isIsaraError(err, "invalid_argument") &&
        /EMBEDDER_BACKEND: is "tei" \(expected one of: local, hashing\)/.test(err.message),
    );
    assert.throws(
      () => loadRetrievalConfig({ ...lance, EMBEDDER_BACKEND: "hashing", EMBEDDER_DIMENSION: "0" }),
      (err: unknown) => isIsaraError(err) && /EMBEDDER_DIMENSION: is "0"/.test(err.message),
    );
    assert.throws(
      () => loadRetrievalConfig({ ...lance, EMBEDDER_DIMENSION: "16" }),
      (err: unknown) =>
        isIsaraError(err) && /EMBEDDER_DIMENSION: is set but EMBEDDER_BACKEND is local/.test(err.message),
    );
  });

  it("refuses a Qdrant URL without scheme, which would fail only at the first request", () => {
    assert.throws(
      () => loadRetrievalConfig({ QDRANT_URL: "qdrant:6333" }),
      (err: unknown) => isIsaraError(err) && /QDRANT_URL: has protocol "qdrant"/.test(err.message),
    );
  });
});
