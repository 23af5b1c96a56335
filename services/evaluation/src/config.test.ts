import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { loadEvaluationConfig } from "./config.js";

const MINIMAL = { KAFKA_BROKERS: "kafka:9092", ARTIFACT_ROOT: "/artifacts", MODEL_PATH: "/models/m.gguf" };

test("the three required variables are enough; the rest has working defaults", () => {
  const config = loadEvaluationConfig(MINIMAL);
  assert.deepEqual(config, {
    kafka: { brokers: ["kafka:9092"], clientId: "isara-evaluation" },
    artifactRoot: "/artifacts",
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

test("every variable is read", () => {
  const config = loadEvaluationConfig({
    ...MINIMAL,
    KAFKA_BROKERS: "k0:9092, k1:9093",
    KAFKA_CLIENT_ID: "eval-7",
    LLM_MODEL_ID: "SmolLM2",
    LLM_PARALLEL: "4",
    LLM_TIMEOUT_MS: "90000",
    HTTP_PORT: "9100",
    LOG_LEVEL: "DEBUG",
    SHUTDOWN_TIMEOUT: "5s",
    DRAIN_TIMEOUT: "2m",
    RETRY_ATTEMPTS: "3",
    RETRY_INITIAL_DELAY: "250ms",
    RETRY_MAX_DELAY: "10s",
  });
  assert.deepEqual(config.kafka, { brokers: ["k0:9092", "k1:9093"], clientId: "eval-7" });
  assert.deepEqual(config.llm, {
    backend: "llama",
    modelPath: "/models/m.gguf",
    modelId: "SmolLM2",
    parallelism: 4,
    timeoutMs: 90_000,
  });
  assert.equal(config.httpPort, 9100);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.shutdownTimeoutMs, 5000);
  assert.equal(config.drainTimeoutMs, 120_000);
  assert.deepEqual(config.retry, { attempts: 3, initialDelayMs: 250, maxDelayMs: 10_000 });
});

test("a bad environment fails with every problem named by its variable", () => {
  assert.throws(
    () => loadEvaluationConfig({ KAFKA_BROKERS: "http://kafka", LLM_BACKEND: "vllm", HTTP_PORT: "80800" }),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      const variables = (err.details as { variable: string }[]).map((p) => p.variable).sort();
      assert.deepEqual(variables, [
        "ARTIFACT_ROOT",
        "HTTP_PORT",
        "KAFKA_BROKERS",
        "LLM_BACKEND",
        "MODEL_PATH",
      ]);
      assert.match(err.message, /KAFKA_BROKERS: is not a list of host:port/);
      return true;
    },
  );
});

test("an OpenAI-compatible server can answer instead of llama.cpp; it needs its URL and served model", () => {
  const config = loadEvaluationConfig({
    KAFKA_BROKERS: "kafka:9092",
    ARTIFACT_ROOT: "/artifacts",
    LLM_BACKEND: "openai",
    LLM_BASE_URL: "http://vllm:8000",
    LLM_MODEL: "smollm2",
  });
  assert.deepEqual(config.llm, {
    backend: "openai",
    baseUrl: "http://vllm:8000/",
    model: "smollm2",
    modelId: undefined,
    apiKey: undefined,
    parallelism: 2,
    timeoutMs: 120_000,
  });
  assert.throws(
    () => loadEvaluationConfig({ KAFKA_BROKERS: "kafka:9092", ARTIFACT_ROOT: "/a", LLM_BACKEND: "openai" }),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      const variables = (err.details as { variable: string }[]).map((p) => p.variable).sort();
      assert.deepEqual(variables, ["LLM_BASE_URL", "LLM_MODEL"]);
      return true;
    },
  );
});
