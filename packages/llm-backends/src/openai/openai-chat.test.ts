import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type ChatRequest, IsaraError } from "@isara/core";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./fake-openai-server.js";
import { createOpenAiChat } from "./openai-chat.js";

const judge: ChatRequest = {
  messages: [
    { role: "system", content: "You grade answers from 1 to 10." },
    { role: "user", content: "Rate this answer: the moon pulls the sea" },
  ],
  maxTokens: 8,
  temperature: 0,
  seed: 3,
};

/** The JSON body of the first request the fake received; fails the test when there was none. */
function firstBody(server: FakeOpenAiServer): Record<string, unknown> {
  const body = server.requests[0]?.body;
  assert.ok(typeof body === "object" && body !== null, "the fake received a JSON request");
  return body as Record<string, unknown>;
}

describe("createOpenAiChat against a fake OpenAI-compatible server", () => {
  let server: FakeOpenAiServer;
  beforeEach(async () => {
    server = await startFakeOpenAiServer({ models: ["judge"] });
  });
  afterEach(() => server.close());

  it("posts the conversation and sampling fields and returns the assistant's text", async () => {
    const chat = createOpenAiChat({ baseUrl: server.baseUrl, model: "judge", parallelism: 2 });
    const answer = await chat.chat(judge);
    assert.equal(answer.text, " Rate this answer: the moon pulls the sea");
    const [sent] = server.requests;
    assert.equal(sent?.path, "/v1/chat/completions");
    assert.deepEqual(sent?.body, {
      model: "judge",
      messages: judge.messages,
      max_tokens: 8,
      temperature: 0,
      seed: 3,
    });
    assert.equal(chat.parallelism, 2);
    assert.equal(chat.modelId, "judge");
  });

  it("leaves the seed out when the caller gives none", async () => {
    const chat = createOpenAiChat({ baseUrl: server.baseUrl, model: "judge" });
    await chat.chat({ ...judge, seed: undefined });
    assert.equal("seed" in firstBody(server), false);
  });

  it("reads a null content as an empty answer", async () => {
    server.enqueue({
      json: { choices: [{ message: { role: "assistant", content: null }, finish_reason: "stop" }] },
    });
    const chat = createOpenAiChat({ baseUrl: server.baseUrl, model: "judge" });
    assert.deepEqual(await chat.chat(judge), { text: "" });
  });

  it("retries a 503 with the same policy as completions", async () => {
    server.enqueue({ status: 503 });
    const chat = createOpenAiChat({
      baseUrl: server.baseUrl,
      model: "judge",
      backoff: { baseMs: 0, maxMs: 0, random: { next: () => 0 } },
    });
    assert.match((await chat.chat(judge)).text, /moon/);
    assert.equal(server.requests.length, 2);
  });

  it("fails with not_found naming the judge model when the server does not serve it", async () => {
    const chat = createOpenAiChat({ baseUrl: server.baseUrl, model: "gpt-judge" });
    await assert.rejects(chat.chat(judge), { code: "not_found", message: /gpt-judge/ });
  });

  it("names a malformed chat answer's wrong field", async () => {
    server.enqueue({ json: { choices: [{ text: "completion shape" }] } });
    const chat = createOpenAiChat({ baseUrl: server.baseUrl, model: "judge" });
    await assert.rejects(chat.chat(judge), { code: "internal", message: /choices\.0\.message/ });
  });

  it("refuses an empty conversation or an unknown role before sending", async () => {
    const chat = createOpenAiChat({ baseUrl: server.baseUrl, model: "judge" });
    await assert.rejects(chat.chat({ ...judge, messages: [] }), (err: unknown) => {
      assert.ok(err instanceof IsaraError);
      assert.equal(err.code, "invalid_argument");
      assert.match(err.message, /at least one message/);
      return true;
    });
    const badRole = [{ role: "tool", content: "x" }] as unknown as ChatRequest["messages"];
    await assert.rejects(chat.chat({ ...judge, messages: badRole }), {
      code: "invalid_argument",
      message: /role/,
    });
    assert.equal(server.requests.length, 0);
  });
});
