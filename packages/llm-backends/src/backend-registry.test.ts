import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { z } from "zod";
import { LLM_BACKEND_REGISTRY, registeredLlmBackend } from "./backend-registry.js";
import { createLlmBackend } from "./llm-backend.js";
import {
  LLM_BACKEND_ENV,
  LLM_BACKENDS,
  type LlmBackendConfig,
  withLlmBackendRules,
} from "./llm-backend-env.js";

const rules = withLlmBackendRules(z.object(LLM_BACKEND_ENV));

/** Each rule's problem as `VARIABLE: message`, in the order the schema reports them. */
function problems(env: Record<string, string>): string[] {
  const parsed = rules.safeParse(env);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

test("the fragment lists LLM_BACKEND, each backend's variables in registry order, then the common ones", () => {
  assert.deepEqual(Object.keys(LLM_BACKEND_ENV), [
    "LLM_BACKEND",
    "MODEL_PATH",
    "LLM_MODEL_ID",
    "LLM_BASE_URL",
    "LLM_MODEL",
    "LLM_API_KEY",
    "LLM_PARALLEL",
    "LLM_TIMEOUT_MS",
  ]);
});

test("the backends are the registry's names, each once, and the first is the default", () => {
  assert.deepEqual(
    LLM_BACKENDS,
    LLM_BACKEND_REGISTRY.map((d) => d.name),
  );
  assert.deepEqual(LLM_BACKENDS, ["llama", "openai"]);
  assert.equal(new Set(LLM_BACKENDS).size, LLM_BACKENDS.length);
  assert.equal(z.object(LLM_BACKEND_ENV).parse({ MODEL_PATH: "/m.gguf" }).LLM_BACKEND, "llama");
});

test("every required variable is one of its backend's own", () => {
  for (const definition of LLM_BACKEND_REGISTRY) {
    for (const variable of Object.keys(definition.required)) {
      assert.ok(variable in definition.env, `${definition.name}: ${variable}`);
    }
  }
});

test("each backend's rules say what is missing, what is expected and which backend needs it", () => {
  assert.deepEqual(problems({}), [
    'MODEL_PATH: is not set (expected the GGUF model file; required when LLM_BACKEND is "llama")',
  ]);
  assert.deepEqual(problems({ LLM_BACKEND: "openai" }), [
    'LLM_BASE_URL: is not set (expected the server\'s http(s) URL; required when LLM_BACKEND is "openai")',
    'LLM_MODEL: is not set (expected the served model name; required when LLM_BACKEND is "openai")',
  ]);
  assert.deepEqual(problems({ LLM_BACKEND: "openai", LLM_BASE_URL: "http://vllm:8000", LLM_MODEL: "m" }), []);
});

test("an unregistered backend is refused by name, listing the registered ones", () => {
  assert.throws(
    () => registeredLlmBackend("vllm"),
    (err: unknown) =>
      isIsaraError(err, "invalid_argument") &&
      err.message.includes('"vllm"') &&
      err.message.includes("llama, openai"),
  );
  return assert.rejects(
    createLlmBackend(
      { backend: "vllm" } as unknown as LlmBackendConfig,
      {
        locate: (key: string) => key,
      } as never,
    ),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});
