/**
 * LoRA adapters and the repetition penalty, on tiny GGUFs written by the test: an adapter changes
 * what the model writes only for the requests that name it, and the penalty reaches prompt tokens.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { CompletionRequest } from "@isara/core";
import { greedyRequest, makeTinyFixtureFiles, type TinyFixtureFiles } from "../testing/tiny-fixture-files.js";
import { createLlamaLlm } from "./llama-llm.js";

const GREEDY = greedyRequest("hello world", 12);

let files: TinyFixtureFiles;

before(async () => {
  files = await makeTinyFixtureFiles();
});
after(async () => {
  await files?.cleanup();
});

test("a request's adapter changes the output; requests without one still get the base model", async () => {
  const llm = await createLlamaLlm({ modelPath: files.model, contextSize: 256 });
  try {
    const base = await llm.complete(GREEDY);
    const adapted = await llm.complete({ ...GREEDY, adapter: files.lora });
    assert.notEqual(adapted.text, base.text);
    assert.equal(adapted.tokens, 12);
    const [baseAgain, adaptedAgain] = await Promise.all([
      llm.complete(GREEDY),
      llm.complete({ ...GREEDY, adapter: files.lora }),
    ]);
    assert.equal(baseAgain.text, base.text, "the adapter's context does not leak into the base model's");
    assert.equal(adaptedAgain.text, adapted.text);
  } finally {
    await llm.close();
  }
});

test("the configured adapter applies to requests that name none", async () => {
  const plain = await createLlamaLlm({ modelPath: files.model, contextSize: 256 });
  const adapted = await createLlamaLlm({ modelPath: files.model, contextSize: 256, adapterPath: files.lora });
  try {
    const expected = await plain.complete({ ...GREEDY, adapter: files.lora });
    assert.equal((await adapted.complete(GREEDY)).text, expected.text);
  } finally {
    await Promise.all([plain.close(), adapted.close()]);
  }
});

test("with room for one adapter only, switching adapters back and forth gives the same outputs", async () => {
  const llm = await createLlamaLlm({ modelPath: files.model, contextSize: 256, maxAdapters: 1 });
  try {
    const base = await llm.complete(GREEDY);
    const adapted = await llm.complete({ ...GREEDY, adapter: files.lora });
    const mixed = await Promise.all([
      llm.complete(GREEDY),
      llm.complete({ ...GREEDY, adapter: files.lora }),
      llm.complete(GREEDY),
    ]);
    assert.deepEqual(
      mixed.map((c) => c.text),
      [base.text, adapted.text, base.text],
    );
  } finally {
    await llm.close();
  }
});

test("a request for another adapter is not starved by a stream of requests for the busy one", async () => {
  const llm = await createLlamaLlm({
    modelPath: files.model,
    contextSize: 256,
    parallelism: 3,
    maxAdapters: 1,
  });
  try {
    const finished: string[] = [];
    const run = (name: string, request: CompletionRequest) =>
      llm.complete(request).then(() => {
        finished.push(name);
      });
    const base = Array.from({ length: 12 }, (_, i) => run(`base${i}`, GREEDY));
    const adapted = run("lora", { ...GREEDY, adapter: files.lora });
    const later = Array.from({ length: 12 }, (_, i) => run(`later${i}`, GREEDY));
    await Promise.all([...base, adapted, ...later]);
    assert.ok(finished.indexOf("lora") < finished.indexOf("later0"), finished.join(" "));
  } finally {
    await llm.close();
  }
});

test("the repetition penalty also covers prompt tokens, as in transformers and vLLM", async () => {
  // The echo model repeats the token it just read, so without a penalty it writes " world world …".
  const llm = await createLlamaLlm({ modelPath: files.echo, contextSize: 256 });
  try {
    const free = await llm.complete({ ...GREEDY, maxTokens: 4 });
    assert.equal(free.text, " world world world world");
    const penalised = await llm.complete({ ...GREEDY, maxTokens: 4, repetitionPenalty: 5 });
    // A penalty over generated tokens only could not change the first token: nothing was generated yet.
    assert.ok(!penalised.text.startsWith(" world"), `got ${JSON.stringify(penalised.text)}`);
    assert.ok(!/hello|world/.test(penalised.text), `got ${JSON.stringify(penalised.text)}`);
  } finally {
    await llm.close();
  }
});
