/**
 * `specialTokens`: off by default, so markup in a prompt stays text; on, it is read as the model's
 * control tokens, as a chat template's output must be.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { greedyRequest, makeTinyFixtureFiles, type TinyFixtureFiles } from "../testing/tiny-fixture-files.js";
import { createLlamaLlm } from "./llama-llm.js";

let files: TinyFixtureFiles;

before(async () => {
  files = await makeTinyFixtureFiles();
});
after(async () => {
  await files?.cleanup();
});

test("control-token markup is plain text by default and the control token with specialTokens", async () => {
  const plain = await createLlamaLlm({ modelPath: files.model, contextSize: 256 });
  const special = await createLlamaLlm({ modelPath: files.model, contextSize: 256, specialTokens: true });
  try {
    assert.ok(plain.countTokens("</s>") > 1, "markup spelled out in characters");
    assert.equal(special.countTokens("</s>"), 1, "the end-of-text token itself");
    const prompt = "hello </s> world";
    const [a, b] = await Promise.all([
      plain.complete(greedyRequest(prompt, 8)),
      special.complete(greedyRequest(prompt, 8)),
    ]);
    assert.notEqual(a.text, b.text, "the model reads a different prompt");
  } finally {
    await Promise.all([plain.close(), special.close()]);
  }
});
