import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { type Env, loadConfig } from "@isara/kit";
import { z } from "zod";
import { LLM_BACKEND_ENV, llmBackendConfigFrom, withLlmBackendRules } from "./llm-backend-env.js";

/** A service's schema as services build it: its own variables, the fragment, the rules. */
const schema = withLlmBackendRules(z.object({ ARTIFACT_ROOT: z.string(), ...LLM_BACKEND_ENV }));
const load = (env: Env) => llmBackendConfigFrom(loadConfig(schema, env));

/** The variables at fault in a config error, sorted. */
function variablesOf(err: unknown): string[] {
  assert.ok(isIsaraError(err, "invalid_argument"));
  return (err.details as { variable: string }[]).map((p) => p.variable).sort();
}

test("llama is the default backend and needs only MODEL_PATH", () => {
  assert.deepEqual(load({ ARTIFACT_ROOT: "/a", MODEL_PATH: "/models/m.gguf" }), {
    backend: "llama",
    modelPath: "/models/m.gguf",
    modelId: undefined,
    parallelism: 2,
    timeoutMs: 120_000,
  });
});

test("openai reads the server, the served model, the key, parallelism and the timeout", () => {
  const config = load({
    ARTIFACT_ROOT: "/a",
    LLM_BACKEND: "openai",
    LLM_BASE_URL: "http://vllm:8000/v1",
    LLM_MODEL: "smollm2",
    LLM_MODEL_ID: "SmolLM2-135M",
    LLM_API_KEY: "secret",
    LLM_PARALLEL: "16",
    LLM_TIMEOUT_MS: "30000",
  });
  assert.deepEqual(config, {
    backend: "openai",
    baseUrl: "http://vllm:8000/v1",
    model: "smollm2",
    modelId: "SmolLM2-135M",
    apiKey: "secret",
    parallelism: 16,
    timeoutMs: 30_000,
  });
});

test("openai without its server and model lists both, beside the service's own problems", () => {
  assert.throws(
    () => load({ LLM_BACKEND: "openai", LLM_PARALLEL: "0" }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), ["ARTIFACT_ROOT", "LLM_BASE_URL", "LLM_MODEL", "LLM_PARALLEL"]);
      assert.match(
        (err as Error).message,
        /LLM_BASE_URL: is not set .*required when LLM_BACKEND is "openai"/,
      );
      return true;
    },
  );
});

test("llama without MODEL_PATH says so; openai does not ask for MODEL_PATH", () => {
  assert.throws(
    () => load({ ARTIFACT_ROOT: "/a" }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), ["MODEL_PATH"]);
      assert.match((err as Error).message, /MODEL_PATH: is not set \(expected the GGUF model file/);
      return true;
    },
  );
  const openai = load({
    ARTIFACT_ROOT: "/a",
    LLM_BACKEND: "openai",
    LLM_BASE_URL: "https://x",
    LLM_MODEL: "m",
  });
  assert.equal(openai.backend, "openai");
});

test("a malformed server URL is reported once, as malformed; an unknown backend is named", () => {
  assert.throws(
    () => load({ ARTIFACT_ROOT: "/a", LLM_BACKEND: "openai", LLM_BASE_URL: "vllm:8000", LLM_MODEL: "m" }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), ["LLM_BASE_URL"]);
      assert.match((err as Error).message, /LLM_BASE_URL: has (no host|protocol)/);
      return true;
    },
  );
  assert.throws(
    () => load({ ARTIFACT_ROOT: "/a", LLM_BACKEND: "vllm", MODEL_PATH: "/m.gguf" }),
    (err: unknown) => {
      assert.deepEqual(variablesOf(err), ["LLM_BACKEND"]);
      assert.match((err as Error).message, /expected one of: llama, openai/);
      return true;
    },
  );
});

test("typed settings refuse values that skipped the rules, naming the variable", () => {
  const raw = z.object(LLM_BACKEND_ENV).parse({ LLM_BACKEND: "openai", LLM_MODEL: "m" });
  assert.throws(
    () => llmBackendConfigFrom(raw),
    (err: unknown) => isIsaraError(err, "invalid_argument") && /LLM_BASE_URL is not set/.test(err.message),
  );
});
