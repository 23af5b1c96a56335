import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IsaraError } from "@isara/core";
import { resolveOpenAiOptions } from "./openai-options.js";

describe("resolveOpenAiOptions", () => {
  it("needs only a base URL and a model name, and fills in the documented defaults", () => {
    const resolved = resolveOpenAiOptions({ baseUrl: "http://127.0.0.1:8080", model: "smollm2" });
    assert.equal(resolved.baseUrl, "http://127.0.0.1:8080");
    assert.equal(resolved.modelId, "smollm2");
    assert.equal(resolved.parallelism, 4);
    assert.equal(resolved.apiKey, undefined);
    assert.equal(resolved.policy.timeoutMs, 120_000);
    assert.equal(resolved.policy.maxAttempts, 4);
    assert.equal(resolved.policy.baseMs, 250);
    assert.equal(resolved.policy.maxMs, 8000);
    assert.equal(resolved.policy.maxRetryAfterMs, 30_000);
  });

  it("accepts a base URL written the OpenAI SDK way, with /v1 and slashes, without doubling /v1", () => {
    for (const baseUrl of ["http://vllm:8000/v1", "http://vllm:8000/v1/", "http://vllm:8000/"]) {
      assert.equal(resolveOpenAiOptions({ baseUrl, model: "m" }).baseUrl, "http://vllm:8000");
    }
    assert.equal(
      resolveOpenAiOptions({ baseUrl: "https://gw/llm/v1", model: "m" }).baseUrl,
      "https://gw/llm",
    );
  });

  it("lists every bad option at once in one invalid_argument error", () => {
    assert.throws(
      () =>
        resolveOpenAiOptions({
          baseUrl: "ftp://host",
          model: " ",
          parallelism: 0,
          timeoutMs: 1.5,
          maxAttempts: 0,
          backoff: { baseMs: 500, maxMs: 100 },
          headers: { "bad header": "x" },
          repetitionPenaltyFields: ["model"],
        }),
      (err: unknown) => {
        assert.ok(err instanceof IsaraError);
        assert.equal(err.code, "invalid_argument");
        const { problems } = err.details as { problems: string[] };
        assert.equal(problems.length, 8, problems.join("\n"));
        for (const name of [
          "baseUrl",
          "model",
          "parallelism",
          "timeoutMs",
          "maxAttempts",
          "backoff.maxMs",
          "headers",
        ]) {
          assert.match(err.message, new RegExp(name.replace(".", "\\.")));
        }
        return true;
      },
    );
  });

  it("refuses a base URL that is not a URL, or that carries a query", () => {
    assert.throws(() => resolveOpenAiOptions({ baseUrl: "localhost:8000", model: "m" }), /http\(s\) URL/);
    assert.throws(() => resolveOpenAiOptions({ baseUrl: "http://h/?key=1", model: "m" }), /query/);
  });
});
