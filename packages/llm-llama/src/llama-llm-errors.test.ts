/**
 * Every mistake a user can make when pointing the adapter at files or configuring it ends in an
 * IsaraError with the right code and a message that names the file and the fix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { greedyRequest, makeTinyFixtureFiles, type TinyFixtureFiles } from "../testing/tiny-fixture-files.js";
import { createLlamaLlm, type LlamaLlm } from "./llama-llm.js";

const GREEDY = greedyRequest("hello", 4);

let files: TinyFixtureFiles;
let llm: LlamaLlm;

before(async () => {
  files = await makeTinyFixtureFiles();
  llm = await createLlamaLlm({ modelPath: files.model, contextSize: 256 });
});
after(async () => {
  await llm?.close();
  await files?.cleanup();
});

test("a missing model file is not_found and names the path and where the default model comes from", async () => {
  const missing = join(files.dir, "absent.gguf");
  await assert.rejects(
    createLlamaLlm({ modelPath: missing }),
    (err) =>
      isIsaraError(err, "not_found") &&
      err.message.includes(missing) &&
      err.message.includes("infra/fetch-models.sh"),
  );
});

test("a file that is not a GGUF is invalid_argument and says so", async () => {
  await assert.rejects(
    createLlamaLlm({ modelPath: files.notGguf }),
    (err) => isIsaraError(err, "invalid_argument") && /is not a GGUF file/.test(err.message),
  );
});

test("a GGUF cut short (in its header or in its data) and a folder are invalid_argument", async () => {
  for (const modelPath of [files.truncated, files.cutInData]) {
    await assert.rejects(
      createLlamaLlm({ modelPath }),
      (err) => isIsaraError(err, "invalid_argument") && /is cut short or corrupt/.test(err.message),
      modelPath,
    );
  }
  await assert.rejects(
    createLlamaLlm({ modelPath: files.folder }),
    (err) => isIsaraError(err, "invalid_argument") && /is a folder/.test(err.message),
  );
});

test("a LoRA adapter given as the model is refused with a hint", async () => {
  await assert.rejects(
    createLlamaLlm({ modelPath: files.lora }),
    (err) => isIsaraError(err, "invalid_argument") && /is a LoRA adapter, not a model/.test(err.message),
  );
});

test("a model given as the default adapter is refused before loading", async () => {
  await assert.rejects(
    createLlamaLlm({ modelPath: files.model, adapterPath: files.echo }),
    (err) => isIsaraError(err, "invalid_argument") && /is not a GGUF LoRA adapter/.test(err.message),
  );
});

test("bad options are invalid_argument with every problem listed", async () => {
  await assert.rejects(
    createLlamaLlm({ modelPath: "", parallelism: 0, threads: 1.5, contextSize: 8 }),
    (err) => {
      if (!isIsaraError(err, "invalid_argument")) return false;
      const problems = (err.details as { problems: string[] }).problems;
      assert.equal(problems.length, 4, problems.join("\n"));
      return true;
    },
  );
});

test("a request naming a missing or wrong adapter fails alone and the model keeps working", async () => {
  await assert.rejects(
    llm.complete({ ...GREEDY, adapter: join(files.dir, "absent-lora.gguf") }),
    (err) => isIsaraError(err, "not_found") && /absent-lora\.gguf does not exist/.test(err.message),
  );
  await assert.rejects(
    llm.complete({ ...GREEDY, adapter: files.echo }),
    (err) => isIsaraError(err, "invalid_argument") && /is not a GGUF LoRA adapter/.test(err.message),
  );
  const ok = await llm.complete(GREEDY);
  assert.equal(ok.tokens, 4);
});
