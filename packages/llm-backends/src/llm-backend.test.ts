/**
 * Both backends on a real model: a tiny random-weight GGUF (llm-llama's writer) loaded by llama.cpp
 * in process, and the same model behind the project's real OpenAI-compatible server (llm-server) on
 * a loopback port, with a LoRA adapter served under a name. What a service notices: which base model
 * names a backend answers to, what it makes of an adapter reference, and that completions come back.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { createLlamaLlm, type LlamaLlm, writeTinyLlamaGguf, writeTinyLoraGguf } from "@isara/llm-llama";
import { createLlmServerApp } from "@isara/llm-server";
import { FsArtifactStore } from "@isara/store-fs";
import type { LlmBackend } from "./backend-definition.js";
import { createLlmBackend } from "./llm-backend.js";

let dir: string;
let modelPath: string;
let loraPath: string;
let artifacts: FsArtifactStore;

const request = {
  prompt: "USER: hello ASSISTANT:",
  maxTokens: 6,
  temperature: 0,
  topP: 1,
  repetitionPenalty: 1,
  seed: 7,
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-llm-backends-"));
  modelPath = join(dir, "tiny.gguf");
  loraPath = join(dir, "artifacts", "run-a", "round-1", "train", "adapter.gguf");
  await writeTinyLlamaGguf(modelPath);
  artifacts = new FsArtifactStore({ root: join(dir, "artifacts") });
  await mkdir(dirname(loraPath), { recursive: true });
  await writeTinyLoraGguf(loraPath);
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the llama backend", () => {
  let backend: LlmBackend;
  before(async () => {
    backend = await createLlmBackend(
      { backend: "llama", modelPath, modelId: undefined, parallelism: 1, timeoutMs: 60_000 },
      artifacts,
    );
  });
  after(() => backend?.llm.close());

  test("serves its model by id, file name or path, and nothing else", () => {
    assert.equal(backend.llm.modelId, "tiny");
    for (const name of ["tiny", "tiny.gguf", modelPath]) assert.equal(backend.serves(name), true, name);
    assert.equal(backend.serves("SmolLM2-135M"), false);
  });

  test("an adapter key is a GGUF LoRA on the artifact volume; a path stays a path", async () => {
    const adapter = backend.adapterFor("run-a/round-1/train/adapter.gguf");
    assert.equal(adapter, loraPath);
    assert.equal(backend.adapterFor("/abs/adapter.gguf"), "/abs/adapter.gguf");
    const out = await backend.llm.complete({ ...request, adapter });
    assert.ok(out.tokens > 0);
  });

  test("counts tokens with the model's own tokenizer", () => {
    const count = backend.tokenizer.countTokens("the a of and to in");
    assert.ok(count >= 1 && count <= 12, `got ${count}`);
  });
});

describe("the llama backend without a deadline, on a set number of threads (the CLI's)", () => {
  let backend: LlmBackend;
  before(async () => {
    backend = await createLlmBackend(
      { backend: "llama", modelPath, modelId: undefined, parallelism: 1, threads: 1, timeoutMs: undefined },
      artifacts,
    );
  });
  after(() => backend?.llm.close());

  test("the Llm is the loaded model itself, not wrapped in a deadline", async () => {
    assert.equal(backend.llm, backend.tokenizer);
    const out = await backend.llm.complete(request);
    assert.ok(out.tokens > 0);
  });
});

describe("the openai backend against a real OpenAI-compatible server", () => {
  let model: LlamaLlm;
  let server: ReturnType<typeof createLlmServerApp>;
  let backend: LlmBackend;
  before(async () => {
    model = await createLlamaLlm({ modelPath, parallelism: 1, contextSize: 512 });
    server = createLlmServerApp({
      llm: model,
      modelName: "tiny-served",
      adapters: { "run-a/round-1/train": loraPath },
    });
    const baseUrl = await server.listen({ host: "127.0.0.1", port: 0 });
    backend = await createLlmBackend(
      {
        backend: "openai",
        baseUrl: `${baseUrl}/v1`,
        model: "tiny-served",
        modelId: "Tiny-Llama",
        apiKey: undefined,
        parallelism: 3,
        timeoutMs: 60_000,
      },
      artifacts,
    );
  });
  after(async () => {
    await backend?.llm.close();
    await server?.close();
    await model?.close();
  });

  test("serves the base model under its served name or lineage name", () => {
    assert.equal(backend.llm.modelId, "Tiny-Llama");
    assert.equal(backend.llm.parallelism, 3);
    assert.equal(backend.serves("tiny-served"), true);
    assert.equal(backend.serves("Tiny-Llama"), true);
    assert.equal(backend.serves("tiny.gguf"), false);
  });

  test("writes completions with the base model and with an adapter served under the controller's key", async () => {
    const base = await backend.llm.complete(request);
    assert.equal(base.finishReason === "length" || base.finishReason === "stop", true);
    const adapter = backend.adapterFor("run-a/round-1/train");
    assert.equal(adapter, "run-a/round-1/train", "the served name goes through unchanged");
    const tuned = await backend.llm.complete({ ...request, adapter });
    assert.ok(tuned.tokens > 0);
  });

  test("an adapter the server does not serve fails as not_found, naming it", async () => {
    await assert.rejects(
      backend.llm.complete({ ...request, adapter: "run-a/round-9/train" }),
      (err: unknown) => isIsaraError(err, "not_found") && err.message.includes("run-a/round-9/train"),
    );
  });

  test("over-estimates tokens rather than overflow the server's context", () => {
    assert.equal(backend.tokenizer.countTokens("abcdefghij"), 4);
    assert.equal(backend.tokenizer.countTokens(""), 0);
  });
});
