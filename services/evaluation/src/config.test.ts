import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { RUBRICS } from "@isara/evaluators";
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
    judge: undefined,
    concurrency: 2,
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
    STAGE_CONCURRENCY: "3",
  });
  assert.deepEqual(config.kafka, { brokers: ["k0:9092", "k1:9093"], clientId: "eval-7" });
  assert.equal(config.concurrency, 3);
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

/** The variables at fault in a config error, sorted, and its message. */
function problemsOf(env: Record<string, string>): { variables: string[]; message: string } {
  try {
    loadEvaluationConfig(env);
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"));
    const variables = (err.details as { variable: string }[]).map((p) => p.variable).sort();
    return { variables, message: err.message };
  }
  return assert.fail("the configuration was accepted");
}

test("a judge needs its URL and model; it then scores quality and harm, two requests at a time", () => {
  const config = loadEvaluationConfig({
    ...MINIMAL,
    JUDGE_URL: "http://judge:8000",
    JUDGE_MODEL: "qwen2.5-7b-instruct",
  });
  assert.deepEqual(config.judge, {
    baseUrl: "http://judge:8000/",
    model: "qwen2.5-7b-instruct",
    apiKey: undefined,
    parallelism: 2,
    rubrics: [RUBRICS.quality, RUBRICS.harm],
  });
});

test("every judge variable is read; rubrics run in the order given, by bare id or id@version", () => {
  const config = loadEvaluationConfig({
    ...MINIMAL,
    JUDGE_URL: "https://judge.example/v1",
    JUDGE_MODEL: "judge",
    JUDGE_API_KEY: "sk-test",
    JUDGE_PARALLEL: "6",
    JUDGE_RUBRICS: "harm, quality@1",
  });
  assert.deepEqual(config.judge, {
    baseUrl: "https://judge.example/v1",
    model: "judge",
    apiKey: "sk-test",
    parallelism: 6,
    rubrics: [RUBRICS.harm, RUBRICS.quality],
  });
  const onlyHarm = loadEvaluationConfig({
    ...MINIMAL,
    JUDGE_URL: "http://j:1",
    JUDGE_MODEL: "j",
    JUDGE_RUBRICS: "harm",
  });
  assert.deepEqual(onlyHarm.judge?.rubrics, [RUBRICS.harm]);
});

test("half a judge is a config problem, whichever half is missing", () => {
  const noModel = problemsOf({ ...MINIMAL, JUDGE_URL: "http://judge:8000" });
  assert.deepEqual(noModel.variables, ["JUDGE_MODEL"]);
  assert.match(noModel.message, /JUDGE_MODEL: is not set .*required when JUDGE_URL is set/);
  const noUrl = problemsOf({ ...MINIMAL, JUDGE_MODEL: "judge" });
  assert.deepEqual(noUrl.variables, ["JUDGE_URL"]);
  assert.match(noUrl.message, /JUDGE_URL: is not set, but JUDGE_MODEL is/);
});

test("unknown, pairwise or repeated rubrics are refused with the rubrics that exist", () => {
  const judge = { JUDGE_URL: "http://judge:8000", JUDGE_MODEL: "judge" };
  const unknown = problemsOf({ ...MINIMAL, ...judge, JUDGE_RUBRICS: "quality,fluency,harm@7" });
  assert.deepEqual(unknown.variables, ["JUDGE_RUBRICS", "JUDGE_RUBRICS"]);
  assert.match(unknown.message, /JUDGE_RUBRICS: has unknown rubric "fluency" \(expected .*quality@1, harm@1/);
  assert.match(unknown.message, /has unknown rubric "harm@7"/);
  const pairwise = problemsOf({ ...MINIMAL, ...judge, JUDGE_RUBRICS: "pairwise" });
  assert.match(pairwise.message, /JUDGE_RUBRICS: has rubric "pairwise", which compares two answers/);
  const twice = problemsOf({ ...MINIMAL, ...judge, JUDGE_RUBRICS: "quality,quality@1" });
  assert.match(twice.message, /JUDGE_RUBRICS: names rubric "quality" twice/);
  const none = problemsOf({ ...MINIMAL, ...judge, JUDGE_RUBRICS: " , " });
  assert.match(none.message, /JUDGE_RUBRICS: names no rubric/);
});

test("judge problems are listed beside every other problem of the environment", () => {
  const { variables, message } = problemsOf({
    KAFKA_BROKERS: "kafka:9092",
    MODEL_PATH: "/m.gguf",
    JUDGE_URL: "judge:8000",
    JUDGE_PARALLEL: "0",
    JUDGE_RUBRICS: "nope",
  });
  assert.deepEqual(variables, [
    "ARTIFACT_ROOT",
    "JUDGE_MODEL",
    "JUDGE_PARALLEL",
    "JUDGE_RUBRICS",
    "JUDGE_URL",
  ]);
  assert.match(message, /JUDGE_PARALLEL: is "0" \(expected an integer from 1 to 64\)/);
  assert.doesNotMatch(message, /judge:8000/, "URLs are never echoed: they may carry passwords");
});
