/**
 * The in-process LLM on a tiny GGUF written by the test itself (random llama weights, SentencePiece
 * vocabulary): loading, token counting, completions, stop strings, seeds, concurrency, cancellation
 * and shutdown, all through real llama.cpp.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type CompletionRequest, isIsaraError } from "@isara/core";
import { greedyRequest, makeTinyFixtureFiles, type TinyFixtureFiles } from "../testing/tiny-fixture-files.js";
import { createLlamaLlm, type LlamaLlm } from "./llama-llm.js";

const GREEDY = greedyRequest("", 12);

let files: TinyFixtureFiles;
let llm: LlamaLlm;

before(async () => {
  files = await makeTinyFixtureFiles();
  llm = await createLlamaLlm({ modelPath: files.model, contextSize: 512, parallelism: 2 });
});
after(async () => {
  await llm?.close();
  await files?.cleanup();
});

describe("loading and tokens", () => {
  test("the model loads and is named after its file", () => {
    assert.equal(llm.modelId, "tiny");
    assert.equal(llm.parallelism, 2);
    assert.equal(llm.contextSize, 512);
    assert.equal(llm.modelPath, files.model);
  });

  test("countTokens uses the model's own vocabulary", () => {
    assert.equal(llm.countTokens("hello world"), 2, "both words are single pieces of the tiny vocabulary");
    assert.equal(llm.countTokens(""), 0);
    // SentencePiece's leading "▁", then the two UTF-8 bytes of a character the vocabulary lacks.
    assert.equal(llm.countTokens("é"), 3);
    assert.ok(llm.countTokens("BEGINNING OF CONVERSATION: USER: hello ASSISTANT:") > 5);
  });
});

describe("completions", () => {
  test("a greedy completion writes exactly maxTokens tokens and is reproducible", async () => {
    const first = await llm.complete({ ...GREEDY, prompt: "hello world" });
    const again = await llm.complete({ ...GREEDY, prompt: "hello world" });
    assert.equal(first.finishReason, "length");
    assert.equal(first.tokens, 12);
    assert.ok(first.text.length > 0);
    assert.deepEqual(again, first);
    const other = await llm.complete({ ...GREEDY, prompt: "the model" });
    assert.notEqual(other.text, first.text, "a different prompt leads elsewhere");
  });

  test("a stop string ends the completion before it, and the earliest stop wins", async () => {
    const full = await llm.complete({ ...GREEDY, prompt: "hello world", maxTokens: 24 });
    const stop = full.text.slice(10, 13);
    const expected = full.text.slice(0, full.text.indexOf(stop));
    const stopped = await llm.complete({ ...GREEDY, prompt: "hello world", maxTokens: 24, stop: [stop] });
    assert.equal(stopped.text, expected);
    assert.equal(stopped.finishReason, "stop");
    assert.ok(stopped.tokens < 24, `stopped after ${stopped.tokens} tokens`);
    const earlier = full.text.slice(3, 5);
    const both = await llm.complete({
      ...GREEDY,
      prompt: "hello world",
      maxTokens: 24,
      stop: [stop, earlier],
    });
    assert.equal(both.text, full.text.slice(0, full.text.indexOf(earlier)));
  });

  test("a seed makes sampled completions reproducible, and another seed samples differently", async () => {
    const sampled = { ...GREEDY, prompt: "hello", temperature: 1, topP: 0.95, maxTokens: 16 };
    const a = await llm.complete({ ...sampled, seed: 5 });
    const b = await llm.complete({ ...sampled, seed: 5 });
    const c = await llm.complete({ ...sampled, seed: 6 });
    assert.equal(a.text, b.text);
    assert.notEqual(a.text, c.text);
  });

  test("many completions at once all finish, each as if it ran alone", async () => {
    const prompts = ["hello world", "the model", "USER: question", "answer is", "of the", "one world"];
    const alone: string[] = [];
    for (const prompt of prompts) alone.push((await llm.complete({ ...GREEDY, prompt })).text);
    const together = await Promise.all(prompts.map((prompt) => llm.complete({ ...GREEDY, prompt })));
    assert.deepEqual(
      together.map((c) => c.text),
      alone,
    );
    assert.ok(together.every((c) => c.tokens === 12 && c.finishReason === "length"));
  });

  test("a prompt that leaves no room for maxTokens in the context is refused", async () => {
    const long = "hello ".repeat(300);
    await assert.rejects(
      llm.complete({ ...GREEDY, prompt: long, maxTokens: 300 }),
      (err) => isIsaraError(err, "invalid_argument") && /context size of 512 tokens/.test(err.message),
    );
  });

  test("a malformed request is refused with every problem listed", async () => {
    await assert.rejects(
      llm.complete({ ...GREEDY, prompt: "hi", maxTokens: 0, topP: 0, stop: [""] }),
      (err) =>
        isIsaraError(err, "invalid_argument") &&
        /maxTokens/.test(err.message) &&
        /topP/.test(err.message) &&
        /stop strings/.test(err.message),
    );
  });
});

describe("cancellation", () => {
  const LONG: CompletionRequest = { ...GREEDY, prompt: "hello", maxTokens: 480 };

  test("an already aborted signal is refused at once", async () => {
    await assert.rejects(llm.complete(LONG, AbortSignal.abort()), (err) => isIsaraError(err, "cancelled"));
  });

  test("aborting a running completion rejects it with cancelled", async () => {
    const controller = new AbortController();
    const running = llm.complete(LONG, controller.signal);
    setTimeout(() => controller.abort(new Error("user gave up")), 20);
    await assert.rejects(running, (err) => isIsaraError(err, "cancelled"));
  });

  test("aborting a queued completion leaves the running ones alone, and no sequence is lost", async () => {
    const running = [llm.complete(LONG), llm.complete(LONG)];
    const controller = new AbortController();
    const queued = llm.complete(LONG, controller.signal);
    controller.abort();
    await assert.rejects(queued, (err) => isIsaraError(err, "cancelled"));
    for (const done of await Promise.all(running)) assert.equal(done.tokens, 480);
    const after = await Promise.all([llm.complete(GREEDY_HELLO), llm.complete(GREEDY_HELLO)]);
    assert.equal(after.length, 2);
  });
});

const GREEDY_HELLO: CompletionRequest = { ...GREEDY, prompt: "hello" };

test("close ends running completions with unavailable and refuses new work", async () => {
  const own = await createLlamaLlm({ modelPath: files.model, contextSize: 512, parallelism: 1 });
  const running = own.complete({ ...GREEDY, prompt: "hello", maxTokens: 480 });
  const queued = own.complete(GREEDY_HELLO);
  await new Promise((resolve) => setTimeout(resolve, 10));
  await own.close();
  await assert.rejects(running, (err) => isIsaraError(err, "unavailable"));
  await assert.rejects(queued, (err) => isIsaraError(err, "unavailable"));
  await assert.rejects(own.complete(GREEDY_HELLO), (err) => isIsaraError(err, "unavailable"));
  assert.throws(
    () => own.countTokens("hello"),
    (err) => isIsaraError(err, "unavailable"),
  );
  await own.close();
});
