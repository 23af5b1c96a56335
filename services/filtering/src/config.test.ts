import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { loadFilteringConfig } from "./config.js";

const MINIMAL = {
  KAFKA_BROKERS: "kafka:9092",
  ARTIFACT_ROOT: "/artifacts",
  RETRIEVAL_ADDRESS: "retrieval:50051",
};

test("the three required variables are enough; the rest has working defaults", () => {
  assert.deepEqual(loadFilteringConfig(MINIMAL), {
    kafka: { brokers: ["kafka:9092"], clientId: "isara-filtering" },
    artifactRoot: "/artifacts",
    retrieval: { address: "retrieval:50051", timeoutMs: 60_000 },
    httpPort: 8080,
    logLevel: "info",
    shutdownTimeoutMs: 15_000,
    drainTimeoutMs: 10_000,
    retry: { attempts: 8, initialDelayMs: 1000, maxDelayMs: 60_000 },
    concurrency: 4,
    judge: undefined,
  });
});

test("every variable is read", () => {
  const config = loadFilteringConfig({
    ...MINIMAL,
    KAFKA_BROKERS: "k0:9092, k1:9093",
    KAFKA_CLIENT_ID: "filter-7",
    RETRIEVAL_ADDRESS: " isara-retrieval:7000 ",
    RETRIEVAL_TIMEOUT: "5s",
    HTTP_PORT: "9100",
    LOG_LEVEL: "DEBUG",
    SHUTDOWN_TIMEOUT: "5s",
    DRAIN_TIMEOUT: "2m",
    RETRY_ATTEMPTS: "3",
    RETRY_INITIAL_DELAY: "250ms",
    RETRY_MAX_DELAY: "10s",
    JUDGE_URL: "https://judge.example/v1",
    JUDGE_MODEL: "judge",
    JUDGE_API_KEY: "sk-test",
    JUDGE_PARALLEL: "6",
    STAGE_CONCURRENCY: "12",
  });
  assert.deepEqual(config, {
    kafka: { brokers: ["k0:9092", "k1:9093"], clientId: "filter-7" },
    artifactRoot: "/artifacts",
    retrieval: { address: "isara-retrieval:7000", timeoutMs: 5000 },
    httpPort: 9100,
    logLevel: "debug",
    shutdownTimeoutMs: 5000,
    drainTimeoutMs: 120_000,
    retry: { attempts: 3, initialDelayMs: 250, maxDelayMs: 10_000 },
    concurrency: 12,
    judge: { baseUrl: "https://judge.example/v1", model: "judge", apiKey: "sk-test", parallelism: 6 },
  });
});

test("a judge is read from the same variables as evaluation's, two requests in flight by default", () => {
  const config = loadFilteringConfig({ ...MINIMAL, JUDGE_URL: "http://judge:8000", JUDGE_MODEL: "judge" });
  assert.deepEqual(config.judge, {
    baseUrl: "http://judge:8000/",
    model: "judge",
    apiKey: undefined,
    parallelism: 2,
  });
});

test("half a judge is refused, whichever half is missing, beside every other problem", () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadFilteringConfig(env);
    } catch (err) {
      assert.ok(isIsaraError(err, "invalid_argument"));
      return {
        variables: (err.details as { variable: string }[]).map((p) => p.variable).sort(),
        message: err.message,
      };
    }
    return assert.fail("the configuration was accepted");
  };
  const noModel = problems({ ...MINIMAL, JUDGE_URL: "http://judge:8000" });
  assert.deepEqual(noModel.variables, ["JUDGE_MODEL"]);
  assert.match(noModel.message, /JUDGE_MODEL: is not set .*required when JUDGE_URL is set/);
  const noUrl = problems({ ...MINIMAL, JUDGE_MODEL: "judge" });
  assert.deepEqual(noUrl.variables, ["JUDGE_URL"]);
  assert.match(noUrl.message, /JUDGE_URL: is not set, but JUDGE_MODEL is/);
  const many = problems({ KAFKA_BROKERS: "kafka:9092", JUDGE_URL: "judge:8000", JUDGE_PARALLEL: "0" });
  assert.deepEqual(many.variables, [
    "ARTIFACT_ROOT",
    "JUDGE_MODEL",
    "JUDGE_PARALLEL",
    "JUDGE_URL",
    "RETRIEVAL_ADDRESS",
  ]);
  assert.doesNotMatch(many.message, /judge:8000/, "URLs are never echoed: they may carry passwords");
});

test("a bad environment lists every problem at once", () => {
  assert.throws(
    () => loadFilteringConfig({ KAFKA_BROKERS: "kafka", RETRIEVAL_ADDRESS: "http://r", RETRY_ATTEMPTS: "0" }),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      for (const variable of ["KAFKA_BROKERS", "ARTIFACT_ROOT", "RETRIEVAL_ADDRESS", "RETRY_ATTEMPTS"]) {
        assert.match(err.message, new RegExp(`^  ${variable}: `, "m"), variable);
      }
      return true;
    },
  );
});
