import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { DEFAULT_BODY_LIMIT, loadGatewayConfig } from "./config.js";

const MINIMAL = { CONTROLLER_ADDRESS: "controller:50051", ARTIFACT_ROOT: "/artifacts", GATEWAY_TOKENS: "{}" };

test("three variables are enough; the rest has working defaults", () => {
  assert.deepEqual(loadGatewayConfig(MINIMAL), {
    controller: { address: "controller:50051", timeoutMs: 10_000 },
    artifactRoot: "/artifacts",
    tokens: { kind: "inline", text: "{}" },
    http: { port: 8080, host: "0.0.0.0", bodyLimit: DEFAULT_BODY_LIMIT },
    sseHeartbeatMs: 15_000,
    logLevel: "info",
    shutdownTimeoutMs: 10_000,
  });
});

test("every variable is read; tokens may come from a file", () => {
  const { GATEWAY_TOKENS: _, ...rest } = MINIMAL;
  const config = loadGatewayConfig({
    ...rest,
    GATEWAY_TOKENS_FILE: "/secrets/tokens.json",
    CONTROLLER_TIMEOUT: "3s",
    HTTP_PORT: "9000",
    HTTP_HOST: "127.0.0.1",
    BODY_LIMIT: "65536",
    SSE_HEARTBEAT: "30s",
    LOG_LEVEL: "debug",
    SHUTDOWN_TIMEOUT: "20s",
  });
  assert.deepEqual(config.tokens, { kind: "file", path: "/secrets/tokens.json" });
  assert.deepEqual(config.http, { port: 9000, host: "127.0.0.1", bodyLimit: 65_536 });
  assert.equal(config.controller.timeoutMs, 3000);
  assert.equal(config.sseHeartbeatMs, 30_000);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.shutdownTimeoutMs, 20_000);
});

test("a bad environment fails with every problem named by its variable", () => {
  assert.throws(
    () => loadGatewayConfig({ CONTROLLER_ADDRESS: "http://controller", BODY_LIMIT: "12" }),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      const variables = (err.details as { variable: string }[]).map((p) => p.variable).sort();
      assert.deepEqual(variables, ["ARTIFACT_ROOT", "BODY_LIMIT", "CONTROLLER_ADDRESS", "GATEWAY_TOKENS"]);
      assert.match(err.message, /GATEWAY_TOKENS: is not set, nor is GATEWAY_TOKENS_FILE/);
      return true;
    },
  );
  assert.throws(
    () => loadGatewayConfig({ ...MINIMAL, GATEWAY_TOKENS_FILE: "/t.json" }),
    /GATEWAY_TOKENS: is set together with GATEWAY_TOKENS_FILE/,
  );
});
