import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type CompletionRequest, IsaraError } from "@isara/core";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./fake-openai-server.js";
import { createOpenAiLlm } from "./openai-llm.js";

const request: CompletionRequest = {
  prompt: "BEGINNING OF CONVERSATION: USER: how do tides work ASSISTANT:",
  maxTokens: 64,
  temperature: 0.7,
  topP: 0.9,
  repetitionPenalty: 1.2,
  seed: 42,
  stop: ["USER:", "END OF CONVERSATION"],
};

/** The JSON body of the first request the fake received; fails the test when there was none. */
function firstBody(server: FakeOpenAiServer): Record<string, unknown> {
  const body = server.requests[0]?.body;
  assert.ok(typeof body === "object" && body !== null, "the fake received a JSON request");
  return body as Record<string, unknown>;
}

describe("createOpenAiLlm against a fake OpenAI-compatible server", () => {
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await startFakeOpenAiServer({ models: ["smollm2", "round-1-adapter"] });
  });
  afterEach(() => server.close());

  it("works from just a base URL and a model name and answers like the served model", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    const completion = await llm.complete({ ...request, prompt: "tides follow the moon", stop: [] });
    assert.deepEqual(completion, { text: " tides follow the moon", tokens: 4, finishReason: "stop" });
    assert.equal(llm.modelId, "smollm2");
    await llm.close();
  });

  it("posts every sampling field under the names vLLM and llama.cpp server read", async () => {
    const llm = createOpenAiLlm({ baseUrl: `${server.baseUrl}/v1`, model: "smollm2" });
    await llm.complete(request);
    assert.equal(server.requests.length, 1);
    const [sent] = server.requests;
    assert.equal(sent?.method, "POST");
    assert.equal(sent?.path, "/v1/completions");
    assert.equal(sent?.headers["content-type"], "application/json");
    assert.deepEqual(sent?.body, {
      model: "smollm2",
      prompt: request.prompt,
      max_tokens: 64,
      temperature: 0.7,
      top_p: 0.9,
      seed: 42,
      stop: ["USER:", "END OF CONVERSATION"],
      repetition_penalty: 1.2,
    });
  });

  it("leaves repetition_penalty out at 1 (off) so servers without the field accept the request", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    await llm.complete({ ...request, repetitionPenalty: 1, stop: undefined });
    const body = firstBody(server);
    assert.equal("repetition_penalty" in body, false);
    assert.equal("stop" in body, false);
  });

  it("sends the penalty under the field names a server reads, e.g. llama-server's repeat_penalty", async () => {
    const llm = createOpenAiLlm({
      baseUrl: server.baseUrl,
      model: "smollm2",
      repetitionPenaltyFields: ["repeat_penalty"],
    });
    await llm.complete(request);
    const body = firstBody(server);
    assert.equal(body.repeat_penalty, 1.2);
    assert.equal("repetition_penalty" in body, false);
  });

  it("asks for a LoRA adapter by sending its served name as the model", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    const completion = await llm.complete({ ...request, adapter: "round-1-adapter" });
    assert.equal(firstBody(server).model, "round-1-adapter");
    assert.equal(completion.finishReason, "stop");
  });

  it("fails with not_found, naming the adapter and how LoRA names work, when the server does not serve it", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    await assert.rejects(llm.complete({ ...request, adapter: "round-9-adapter" }), (err: unknown) => {
      assert.ok(err instanceof IsaraError);
      assert.equal(err.code, "not_found");
      assert.match(err.message, /HTTP 404/);
      assert.match(err.message, /The model `round-9-adapter` does not exist/);
      assert.match(err.message, /LoRA adapter/);
      assert.match(err.message, /\/v1\/models/);
      return true;
    });
    assert.equal(server.requests.length, 1, "a 404 is not retried");
  });

  it("reads text, the server's token count and a length finish", async () => {
    server.enqueue({
      json: {
        choices: [{ index: 0, text: " The moon pulls", finish_reason: "length" }],
        usage: { completion_tokens: 3 },
      },
    });
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    assert.deepEqual(await llm.complete(request), {
      text: " The moon pulls",
      tokens: 3,
      finishReason: "length",
    });
  });

  it("estimates tokens when the server reports no usage, and reads other finish reasons as stop", async () => {
    server.enqueue({ json: { choices: [{ text: "12345678", finish_reason: "eos" }] } });
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    assert.deepEqual(await llm.complete(request), { text: "12345678", tokens: 2, finishReason: "stop" });
  });

  it("sends the API key as a bearer token and the caller's context headers on every request", async () => {
    let round = 0;
    const llm = createOpenAiLlm({
      baseUrl: server.baseUrl,
      model: "smollm2",
      apiKey: "sk-test",
      headers: () => ({ "x-isara-run": "run-7", "x-isara-round": String(++round), authorization: "ignored" }),
    });
    await llm.complete(request);
    await llm.complete(request);
    const [first, second] = server.requests;
    assert.equal(first?.headers.authorization, "Bearer sk-test");
    assert.equal(first?.headers["x-isara-run"], "run-7");
    assert.equal(first?.headers["x-isara-round"], "1");
    assert.equal(second?.headers["x-isara-round"], "2");
  });

  it("exposes the configured parallelism for callers to honour", () => {
    assert.equal(createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" }).parallelism, 4);
    assert.equal(
      createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2", parallelism: 32 }).parallelism,
      32,
    );
  });

  it("refuses a bad request before sending it, listing every problem", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    await assert.rejects(
      llm.complete({ ...request, maxTokens: 0, topP: 2, adapter: " " }),
      (err: unknown) => {
        assert.ok(err instanceof IsaraError);
        assert.equal(err.code, "invalid_argument");
        assert.match(err.message, /maxTokens/);
        assert.match(err.message, /topP/);
        assert.match(err.message, /adapter/);
        return true;
      },
    );
    assert.equal(server.requests.length, 0);
  });

  it("refuses new requests after close", async () => {
    const llm = createOpenAiLlm({ baseUrl: server.baseUrl, model: "smollm2" });
    await llm.close();
    await assert.rejects(llm.complete(request), { code: "unavailable", message: /closed/ });
  });
});
