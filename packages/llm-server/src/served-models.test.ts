import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { writeTinyLlamaGguf, writeTinyLoraGguf } from "@isara/llm-llama";
import { checkAdapterFiles, createServedModels } from "./served-models.js";

test("model picks the base model (or none) or an adapter's file; anything else is not_found", () => {
  const models = createServedModels("base", { judge: "/m/judge.gguf" });
  assert.deepEqual(models.names, ["base", "judge"]);
  assert.equal(models.adapterFor(undefined), undefined);
  assert.equal(models.adapterFor(null), undefined);
  assert.equal(models.adapterFor("base"), undefined);
  assert.equal(models.adapterFor("judge"), "/m/judge.gguf");
  assert.throws(
    () => models.adapterFor("judge-2"),
    (err) => isIsaraError(err, "not_found") && err.message.includes('serves "base", "judge"'),
  );
});

test("adapter names must be non-empty and differ from the base model's", () => {
  assert.throws(
    () => createServedModels("base", { base: "/a.gguf", "": "/b.gguf" }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /named "base", like the base model/.test(err.message) &&
      /empty name/.test(err.message),
  );
});

test("adapter files are checked before serving: a LoRA for the model passes, others are refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), "isara-served-models-"));
  try {
    const model = join(dir, "tiny.gguf");
    const lora = join(dir, "tiny-lora.gguf");
    await writeTinyLlamaGguf(model);
    await writeTinyLoraGguf(lora);
    await checkAdapterFiles(model, { good: lora });
    await assert.rejects(checkAdapterFiles(model, { gone: join(dir, "missing.gguf") }), (err) =>
      isIsaraError(err, "not_found"),
    );
    await assert.rejects(checkAdapterFiles(model, { wrong: model }), (err) =>
      isIsaraError(err, "invalid_argument"),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
