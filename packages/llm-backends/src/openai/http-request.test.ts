import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type CompletionRequest, IsaraError } from "@isara/core";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./fake-openai-server.js";
import type { RetryEvent } from "./http-request.js";
import { createOpenAiLlm } from "./openai-llm.js";
import type { OpenAiOptions } from "./openai-options.js";

const request: CompletionRequest = {
  prompt: "tides follow the moon",
  maxTokens: 16,
  temperature: 0,
  topP: 1,
  repetitionPenalty: 1.05,
  seed: 1,
};

/** Retries without waiting: no jitter, no base delay. */
const noWait = { baseMs: 0, maxMs: 0, random: { next: () => 0 } };

function isIsara(code: string, ...patterns: RegExp[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof IsaraError, `expected an IsaraError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    for (const pattern of patterns) assert.match(err.message, pattern);
    return true;
  };
}

describe("the retry loop, seen through createOpenAiLlm", () => {
  let server: FakeOpenAiServer;
  let retries: RetryEvent[];
  const llmFor = (options: Partial<OpenAiOptions> = {}) =>
    createOpenAiLlm({
      baseUrl: server.baseUrl,
      model: "smollm2",
      backoff: noWait,
      onRetry: (event) => retries.push(event),
      ...options,
    });
  beforeEach(async () => {
    server = await startFakeOpenAiServer();
    retries = [];
  });
  afterEach(() => server.close());

  it("retries a 503 and returns the answer of the attempt that succeeds", async () => {
    server.enqueue({ status: 503, json: { error: { message: "engine overloaded" } } });
    const completion = await llmFor().complete(request);
    assert.equal(completion.text, " tides follow the moon");
    assert.equal(server.requests.length, 2);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.status, 503);
    assert.match(retries[0]?.reason ?? "", /engine overloaded/);
  });

  it("retries 408, 429 and 500 too", async () => {
    server.enqueue({ status: 408 }, { status: 429 }, { status: 500, text: "boom" });
    await llmFor().complete(request);
    assert.deepEqual(
      retries.map((r) => r.status),
      [408, 429, 500],
    );
  });

  it("waits what Retry-After asks instead of its own backoff", async () => {
    server.enqueue({
      status: 429,
      headers: { "retry-after": "1" },
      json: { error: { message: "slow down" } },
    });
    await llmFor().complete(request);
    assert.equal(retries[0]?.delayMs, 1000);
    assert.equal(server.requests.length, 2);
  });

  it("cuts a Retry-After longer than maxRetryAfterMs", async () => {
    server.enqueue({ status: 503, headers: { "retry-after": "3600" } });
    await llmFor({ backoff: { ...noWait, maxRetryAfterMs: 20 } }).complete(request);
    assert.equal(retries[0]?.delayMs, 20);
  });

  it("does not retry a 400 and passes the server's own message on", async () => {
    const said = "This model's maximum context length is 2048 tokens. However, you requested 4000 tokens.";
    server.enqueue({
      status: 400,
      json: { object: "error", message: said, type: "BadRequestError", code: 400 },
    });
    await assert.rejects(
      llmFor().complete(request),
      isIsara("invalid_argument", /HTTP 400/, /maximum context length is 2048/, /\/v1\/completions/),
    );
    assert.equal(server.requests.length, 1);
    assert.equal(retries.length, 0);
  });

  it("maps 401 and 403 to unauthenticated and permission_denied without retrying", async () => {
    server.enqueue({ status: 401, json: { error: { message: "bad key" } } });
    await assert.rejects(llmFor().complete(request), isIsara("unauthenticated", /bad key/, /apiKey/));
    server.enqueue({ status: 403, json: { error: { message: "no access" } } });
    await assert.rejects(llmFor().complete(request), isIsara("permission_denied", /no access/));
    assert.equal(server.requests.length, 2);
  });

  it("gives up with unavailable after maxAttempts, quoting the last failure (truncated)", async () => {
    const page = `<html>${"x".repeat(2000)}</html>`;
    server.enqueue({ status: 502, text: page }, { status: 502, text: page }, { status: 502, text: page });
    await assert.rejects(llmFor({ maxAttempts: 3 }).complete(request), (err: unknown) => {
      isIsara("unavailable", /after 3 attempts/, /HTTP 502/, /more characters/, /maxAttempts/)(err);
      assert.ok((err as Error).message.length < 1200, "the server's body is truncated");
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  it("times out each attempt, retries, then fails with unavailable", async () => {
    server.enqueue({ hang: true }, { hang: true }, { hang: true });
    await assert.rejects(
      llmFor({ timeoutMs: 50, maxAttempts: 3 }).complete(request),
      isIsara("unavailable", /after 3 attempts/, /timeoutMs = 50 ms/),
    );
    assert.equal(server.requests.length, 3);
    assert.equal(retries.length, 2);
  });

  it("reports a refused connection as unavailable with the network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      llmFor({ baseUrl: `http://127.0.0.1:${port}`, maxAttempts: 2 }).complete(request),
      isIsara("unavailable", /ECONNREFUSED/, new RegExp(`127\\.0\\.0\\.1:${port}/v1/completions`)),
    );
    assert.equal(retries.length, 1);
  });

  it("stops at once with cancelled when the caller aborts mid-request, and does not retry", {
    timeout: 10_000,
  }, async () => {
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const pending = llmFor({ timeoutMs: 600_000 }).complete(request, controller.signal);
    await server.received(1);
    controller.abort(new Error("user pressed ctrl-c"));
    await assert.rejects(pending, isIsara("cancelled", /cancelled by its caller/));
    assert.equal(server.requests.length, 1);
    assert.equal(retries.length, 0);
  });

  it("stops a backoff wait with cancelled when the caller aborts", { timeout: 10_000 }, async () => {
    server.enqueue({ status: 503, headers: { "retry-after": "600" } });
    const controller = new AbortController();
    const llm = llmFor({
      backoff: { ...noWait, maxRetryAfterMs: 600_000 },
      onRetry: () => controller.abort(),
    });
    await assert.rejects(llm.complete(request, controller.signal), isIsara("cancelled"));
    assert.equal(server.requests.length, 1);
  });

  it("sends nothing when the caller's signal has already fired", async () => {
    await assert.rejects(llmFor().complete(request, AbortSignal.abort()), isIsara("cancelled"));
    assert.equal(server.requests.length, 0);
  });

  it("fails in-flight requests with unavailable (not cancelled) when the client is closed", {
    timeout: 10_000,
  }, async () => {
    server.enqueue({ hang: true });
    const llm = llmFor({ timeoutMs: 600_000 });
    const pending = llm.complete(request);
    await server.received(1);
    await llm.close();
    await assert.rejects(pending, isIsara("unavailable", /closed/));
  });

  it("explains a 200 whose body is not JSON, without retrying", async () => {
    server.enqueue({ text: "<html>Welcome to nginx!</html>" });
    await assert.rejects(
      llmFor().complete(request),
      isIsara("internal", /not JSON/, /Welcome to nginx/, /baseUrl/),
    );
    assert.equal(server.requests.length, 1);
  });

  it("names the wrong field of a JSON body that is not a completion", async () => {
    server.enqueue({ json: { choices: [{ message: { content: "chat shape" } }] } });
    await assert.rejects(
      llmFor().complete(request),
      isIsara("internal", /not an OpenAI completion/, /choices\.0\.text/, /chat shape/),
    );
    server.enqueue({ json: { choices: [] } });
    await assert.rejects(llmFor().complete(request), isIsara("internal", /choices/));
  });
});
