import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { loadGenerationConfig } from "./config.js";

const MINIMAL = {
  KAFKA_BROKERS: "kafka:9092",
  ARTIFACT_ROOT: "/artifacts",
  RETRIEVAL_ADDRESS: "isara-retrieval:50051",
  MODEL_PATH: "/models/m.gguf",
};

function variablesOf(err: unknown): string[] {
  assert.ok(isIsaraError(err, "invalid_argument"));
  return (err.details as { variable: string }[]).map((p) => p.variable).sort();
}

test("four variables are enough; the rest has working defaults", () => {
  assert.deepEqual(loadGenerationConfig(MINIMAL), {
    kafka: { brokers: ["kafka:9092"], clientId: "isara-generation" },
    artifactRoot: "/artifacts",
    retrieval: { address: "isara-retrieval:50051", timeoutMs: 30_000 },
    llm: {
      backend: "llama",
      modelPath: "/models/m.gguf",
      modelId: undefined,
      parallelism: 2,
      timeoutMs: 120_000,
    },
    httpPort: 8080,
    logLevel: "info",
    shutdownTimeoutMs: 15_000,
    drainTimeoutMs: 10_000,
    retry: { attempts: 8, initialDelayMs: 1000, maxDelayMs: 60_000 },
  });
});

test("every variable is read, the OpenAI-compatible backend included", () => {
  const config = loadGenerationConfig({
    KAFKA_BROKERS: "k0:9092, k1:9093",
    KAFKA_CLIENT_ID: "gen-3",
    ARTIFACT_ROOT: "/vol",
    RETRIEVAL_ADDRESS: "retrieval:7000",
    RETRIEVAL_TIMEOUT: "5s",
    LLM_BACKEND: "openai",
    LLM_BASE_URL: "http://vllm:8000/v1",
    LLM_MODEL: "smollm2",
    LLM_MODEL_ID: "SmolLM2-135M",
    LLM_API_KEY: "k",
    LLM_PARALLEL: "32",
    LLM_TIMEOUT_MS: "45000",
    HTTP_PORT: "9100",
    LOG_LEVEL: "DEBUG",
    SHUTDOWN_TIMEOUT: "5s",
    DRAIN_TIMEOUT: "1m",
    RETRY_ATTEMPTS: "3",
    RETRY_INITIAL_DELAY: "250ms",
    RETRY_MAX_DELAY: "10s",
  });
  assert.deepEqual(config.kafka, { brokers: ["k0:9092", "k1:9093"], clientId: "gen-3" });
  assert.deepEqual(config.retrieval, { address: "retrieval:7000", timeoutMs: 5000 });
  assert.deepEqual(config.llm, {
    backend: "openai",
    baseUrl: "http://vllm:8000/v1",
    model: "smollm2",
    modelId: "SmolLM2-135M",
    apiKey: "k",
    parallelism: 32,
    timeoutMs: 45_000,
  });
  assert.equal(config.httpPort, 9100);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.drainTimeoutMs, 60_000);
  assert.deepEqual(config.retry, { attempts: 3, initialDelayMs: 250, maxDelayMs: 10_000 });
});

test("a bad environment fails with every problem named by its variable", () => {
  assert.throws(
    () =>
      loadGenerationConfig({
        KAFKA_BROKERS: "http://kafka",
        RETRIEVAL_ADDRESS: "grpc://retrieval",
        LLM_BACKEND: "openai",
        HTTP_PORT: "80800",
      }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), [
        "ARTIFACT_ROOT",
        "HTTP_PORT",
        "KAFKA_BROKERS",
        "LLM_BASE_URL",
        "LLM_MODEL",
        "RETRIEVAL_ADDRESS",
      ]);
      assert.match((err as Error).message, /RETRIEVAL_ADDRESS: is not host:port/);
      return true;
    },
  );
});
