import assert from "node:assert/strict";
import { test } from "node:test";
import { type Completion, type CompletionRequest, IsaraError, isIsaraError, type Llm } from "@isara/core";
import { withDeadline } from "./deadline-llm.js";

const request: CompletionRequest = {
  prompt: "USER:",
  maxTokens: 4,
  temperature: 0,
  topP: 1,
  repetitionPenalty: 1,
  seed: 1,
};

/**
 * Stands for a generation that is stuck (a wedged llama.cpp context): it answers only by rejecting,
 * as the real adapter does, when its signal fires. Counts closes so delegation can be seen.
 */
function stuckLlm(): Llm & { closed: number } {
  const llm = {
    modelId: "stuck",
    parallelism: 2,
    closed: 0,
    complete(_request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      return new Promise((_resolve, reject) => {
        signal?.addEventListener("abort", () =>
          reject(new IsaraError("cancelled", "the completion was cancelled by its caller")),
        );
      });
    },
    async close() {
      llm.closed++;
    },
  };
  return llm;
}

test("a completion past its deadline fails as deadline_exceeded, which a stage retries", async () => {
  const llm = withDeadline(stuckLlm(), 20);
  await assert.rejects(llm.complete(request), (err: unknown) => {
    assert.ok(isIsaraError(err, "deadline_exceeded"));
    assert.equal(err.retryable, true);
    assert.match(err.message, /longer than 20 ms.*LLM_TIMEOUT_MS/);
    return true;
  });
});

test("the caller's abort stays a cancellation, not a timeout", async () => {
  const llm = withDeadline(stuckLlm(), 60_000);
  const abort = new AbortController();
  const pending = llm.complete(request, abort.signal);
  abort.abort();
  await assert.rejects(pending, (err: unknown) => isIsaraError(err, "cancelled"));
});

test("keeps the model's name and parallelism, closes the model, refuses a nonsense timeout", async () => {
  const inner = stuckLlm();
  const llm = withDeadline(inner, 5);
  assert.equal(llm.modelId, "stuck");
  assert.equal(llm.parallelism, 2);
  await llm.close();
  assert.equal(inner.closed, 1);
  assert.throws(
    () => withDeadline(inner, 0),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});
