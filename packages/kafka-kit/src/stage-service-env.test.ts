import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { type Env, loadConfig } from "@isara/kit";
import { z } from "zod";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.js";
import { stageServiceConfigFrom, stageServiceEnv } from "./stage-service-env.js";

const schema = z.object(stageServiceEnv({ clientId: "isara-test" }, { OWN_SETTING: z.string() }));

function load(env: Env) {
  const e = loadConfig(schema, env);
  return { ...stageServiceConfigFrom(e), own: e.OWN_SETTING };
}

function problemLines(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    assert.ok(isIsaraError(err, "invalid_argument"));
    return err.message.split("\n").filter((l) => l.startsWith("  "));
  }
  assert.fail("the environment was accepted");
}

test("the required variables are enough; the rest has the stage defaults", () => {
  assert.deepEqual(load({ KAFKA_BROKERS: "kafka:9092", ARTIFACT_ROOT: "/artifacts", OWN_SETTING: "x" }), {
    kafka: { brokers: ["kafka:9092"], clientId: "isara-test" },
    artifactRoot: "/artifacts",
    httpPort: 8080,
    logLevel: "info",
    shutdownTimeoutMs: 15_000,
    drainTimeoutMs: 10_000,
    retry: DEFAULT_RETRY_POLICY,
    own: "x",
  });
});

test("every shared variable is read and mapped to its setting", () => {
  const config = load({
    KAFKA_BROKERS: "k0:9092, k1:9093",
    KAFKA_CLIENT_ID: "stage-7",
    ARTIFACT_ROOT: "/vol",
    OWN_SETTING: "y",
    HTTP_PORT: "9100",
    LOG_LEVEL: "DEBUG",
    SHUTDOWN_TIMEOUT: "5s",
    DRAIN_TIMEOUT: "2m",
    RETRY_ATTEMPTS: "3",
    RETRY_INITIAL_DELAY: "250ms",
    RETRY_MAX_DELAY: "10s",
  });
  assert.deepEqual(config, {
    kafka: { brokers: ["k0:9092", "k1:9093"], clientId: "stage-7" },
    artifactRoot: "/vol",
    httpPort: 9100,
    logLevel: "debug",
    shutdownTimeoutMs: 5000,
    drainTimeoutMs: 120_000,
    retry: { attempts: 3, initialDelayMs: 250, maxDelayMs: 10_000 },
    own: "y",
  });
});

test("a stage can change its drain and retry defaults", () => {
  const slow = z.object(
    stageServiceEnv(
      {
        clientId: "isara-slow",
        drainTimeoutMs: 0,
        retry: { attempts: 4, initialDelayMs: 5000, maxDelayMs: 300_000 },
      },
      {},
    ),
  );
  const config = stageServiceConfigFrom(
    loadConfig(slow, { KAFKA_BROKERS: "kafka:9092", ARTIFACT_ROOT: "/a" }),
  );
  assert.equal(config.drainTimeoutMs, 0);
  assert.deepEqual(config.retry, { attempts: 4, initialDelayMs: 5000, maxDelayMs: 300_000 });
  assert.equal(config.kafka.clientId, "isara-slow");
});

test("problems are listed Kafka and artifacts first, then the service's own, then the process settings", () => {
  const lines = problemLines(() =>
    load({ KAFKA_BROKERS: "http://kafka", HTTP_PORT: "80800", RETRY_ATTEMPTS: "0" }),
  );
  assert.deepEqual(
    lines.map((l) => l.trim().split(":")[0]),
    ["KAFKA_BROKERS", "ARTIFACT_ROOT", "OWN_SETTING", "HTTP_PORT", "RETRY_ATTEMPTS"],
  );
  assert.equal(
    lines[0],
    '  KAFKA_BROKERS: is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
  );
});

test("an empty broker list or an empty artifact root is refused, not defaulted", () => {
  const variables = problemLines(() =>
    load({ KAFKA_BROKERS: " , ", ARTIFACT_ROOT: "", OWN_SETTING: "x" }),
  ).map((l) => l.trim().split(":")[0]);
  assert.deepEqual(variables, ["KAFKA_BROKERS", "ARTIFACT_ROOT"]);
});
