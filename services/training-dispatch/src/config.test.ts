import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { loadTrainingDispatchConfig } from "./config.js";

const MINIMAL = {
  KAFKA_BROKERS: "kafka:9092",
  ARTIFACT_ROOT: "/artifacts",
  BASE_MODEL_PATH: "/models/m.gguf",
};

test("the three required variables are enough; the rest has working defaults", () => {
  assert.deepEqual(loadTrainingDispatchConfig(MINIMAL), {
    kafka: { brokers: ["kafka:9092"], clientId: "isara-training-dispatch" },
    artifactRoot: "/artifacts",
    baseModel: { path: "/models/m.gguf", id: undefined },
    trainer: { python: "python3", device: "auto", threads: undefined },
    trainingTimeoutMs: 12 * 3_600_000,
    concurrency: 1,
    httpPort: 8080,
    logLevel: "info",
    shutdownTimeoutMs: 15_000,
    drainTimeoutMs: 0,
    retry: { attempts: 4, initialDelayMs: 5000, maxDelayMs: 300_000 },
    kube: undefined,
    loraServingUrls: [],
  });
});

test("the Kubernetes backend: namespace, chart, values file, helm, poll; and the vLLM servers to load adapters into", () => {
  const config = loadTrainingDispatchConfig({
    ...MINIMAL,
    TRAINER_BACKEND: "kubernetes",
    KUBE_NAMESPACE: "isara",
    TRAINER_VALUES_FILE: "/etc/isara/trainer-values.yaml",
    TRAINER_POLL: "2s",
    LORA_SERVING_URLS: "http://vllm-0:8000, http://vllm-1:8000",
  });
  assert.deepEqual(config.kube, {
    namespace: "isara",
    chartDir: "/app/charts/isara-trainer",
    valuesFile: "/etc/isara/trainer-values.yaml",
    helm: "helm",
    pollMs: 2000,
  });
  assert.deepEqual(config.loraServingUrls, ["http://vllm-0:8000", "http://vllm-1:8000"]);
  assert.equal(config.concurrency, 8, "one Job per training: eight at once by default");
  assert.equal(
    loadTrainingDispatchConfig({ ...MINIMAL, TRAINER_BACKEND: "kubernetes", STAGE_CONCURRENCY: "20" })
      .concurrency,
    20,
  );
  assert.throws(
    () => loadTrainingDispatchConfig({ ...MINIMAL, TRAINER_BACKEND: "slurm" }),
    /TRAINER_BACKEND/,
  );
});

test("every variable is read", () => {
  const config = loadTrainingDispatchConfig({
    ...MINIMAL,
    KAFKA_BROKERS: "k0:9092, k1:9093",
    KAFKA_CLIENT_ID: "train-7",
    BASE_MODEL_ID: "SmolLM2-135M-Instruct-Q4_1",
    TRAINER_PYTHON: "/opt/trainer/bin/python",
    TRAINER_DEVICE: "cuda",
    TRAINER_THREADS: "8",
    TRAINING_TIMEOUT: "2h",
    HTTP_PORT: "9100",
    LOG_LEVEL: "DEBUG",
    SHUTDOWN_TIMEOUT: "5s",
    DRAIN_TIMEOUT: "30s",
    RETRY_ATTEMPTS: "2",
    RETRY_INITIAL_DELAY: "250ms",
    RETRY_MAX_DELAY: "10s",
  });
  assert.deepEqual(config.kafka, { brokers: ["k0:9092", "k1:9093"], clientId: "train-7" });
  assert.deepEqual(config.baseModel, { path: "/models/m.gguf", id: "SmolLM2-135M-Instruct-Q4_1" });
  assert.deepEqual(config.trainer, { python: "/opt/trainer/bin/python", device: "cuda", threads: 8 });
  assert.equal(config.trainingTimeoutMs, 7_200_000);
  assert.equal(config.httpPort, 9100);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.shutdownTimeoutMs, 5000);
  assert.equal(config.drainTimeoutMs, 30_000);
  assert.deepEqual(config.retry, { attempts: 2, initialDelayMs: 250, maxDelayMs: 10_000 });
});

test("a bad environment fails with every problem named by its variable", () => {
  assert.throws(
    () =>
      loadTrainingDispatchConfig({
        KAFKA_BROKERS: "http://kafka",
        TRAINER_DEVICE: "tpu",
        TRAINER_THREADS: "0",
        TRAINING_TIMEOUT: "forever",
      }),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      const variables = (err.details as { variable: string }[]).map((p) => p.variable).sort();
      assert.deepEqual(variables, [
        "ARTIFACT_ROOT",
        "BASE_MODEL_PATH",
        "KAFKA_BROKERS",
        "TRAINER_DEVICE",
        "TRAINER_THREADS",
        "TRAINING_TIMEOUT",
      ]);
      assert.match(err.message, /KAFKA_BROKERS: is not a list of host:port/);
      return true;
    },
  );
});
