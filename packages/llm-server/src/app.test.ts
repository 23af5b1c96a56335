/**
 * The server in process (fastify inject) on a tiny random GGUF model: every route, the OpenAI
 * response and error shapes, sampling options and LoRA adapters served as models. Runs anywhere in
 * about a second; the real-model behaviour is in app.smollm2.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { makeTinyServerFixture, type TinyServerFixture } from "../testing/tiny-server-fixture.js";
import { createLlmServerApp } from "./app.js";
import { createChatFormatter } from "./chat-formatter.js";

const CHATML =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON response fields
  readonly body: any;
}

let fixture: TinyServerFixture;
let app: FastifyInstance;
let bare: FastifyInstance;

async function post(url: string, payload: unknown, on: FastifyInstance = app): Promise<Answer> {
  const res = await on.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
  return { status: res.statusCode, body: res.json() };
}

async function get(url: string): Promise<Answer> {
  const res = await app.inject({ method: "GET", url });
  return { status: res.statusCode, body: res.json() };
}

const GREEDY = { prompt: "hello world", max_tokens: 8, temperature: 0 };

before(async () => {
  fixture = await makeTinyServerFixture();
  app = createLlmServerApp({
    llm: fixture.llm,
    tokenizer: fixture.llm,
    modelName: "tiny",
    adapters: { "tiny-lora": fixture.loraPath },
    chatFormatter: createChatFormatter({ template: CHATML }),
    bodyLimit: 4096,
    now: () => 1_700_000_000_000,
  });
  bare = createLlmServerApp({ llm: fixture.llm, modelName: "tiny" });
});
after(async () => {
  await app?.close();
  await bare?.close();
  await fixture?.cleanup();
});

describe("models and health", () => {
  test("GET /v1/models lists the base model, then each adapter with the base as parent", async () => {
    const { status, body } = await get("/v1/models");
    assert.equal(status, 200);
    assert.equal(body.object, "list");
    assert.deepEqual(
      body.data.map((m: { id: string; parent: string | null; root: string }) => [m.id, m.parent, m.root]),
      [
        ["tiny", null, "tiny"],
        ["tiny-lora", "tiny", "tiny"],
      ],
    );
    assert.equal(body.data[0].created, 1_700_000_000);
  });

  test("GET /healthz answers ok", async () => {
    assert.deepEqual(await get("/healthz"), { status: 200, body: { status: "ok", model: "tiny" } });
  });
});

describe("POST /v1/completions", () => {
  test("answers in the OpenAI shape; greedy answers repeat exactly; max_tokens ends with length", async () => {
    const first = await post("/v1/completions", GREEDY);
    const second = await post("/v1/completions", GREEDY);
    assert.equal(first.status, 200);
    assert.equal(first.body.object, "text_completion");
    assert.match(first.body.id, /^cmpl-/);
    assert.equal(first.body.model, "tiny");
    assert.equal(first.body.choices.length, 1);
    const choice = first.body.choices[0];
    assert.ok(choice.text.length > 0);
    assert.equal(choice.finish_reason, "length");
    assert.equal(first.body.usage.completion_tokens, 8);
    assert.equal(first.body.usage.prompt_tokens, fixture.llm.countTokens("hello world"));
    assert.equal(first.body.usage.total_tokens, first.body.usage.prompt_tokens + 8);
    assert.equal(second.body.choices[0].text, choice.text);
  });

  test("a stop string ends the text before it, with finish_reason stop", async () => {
    const free = (await post("/v1/completions", { ...GREEDY, max_tokens: 16 })).body.choices[0]
      .text as string;
    const stopAt = free
      .slice(Math.floor(free.length / 2))
      .trim()
      .slice(0, 3);
    assert.ok(stopAt.length > 0, `expected text to stop in: ${JSON.stringify(free)}`);
    const { body } = await post("/v1/completions", {
      ...GREEDY,
      max_tokens: 16,
      stop: [stopAt, "\u0000never"],
    });
    assert.equal(body.choices[0].text, free.slice(0, free.indexOf(stopAt)));
    assert.equal(body.choices[0].finish_reason, "stop");
    const single = await post("/v1/completions", { ...GREEDY, max_tokens: 16, stop: stopAt });
    assert.equal(single.body.choices[0].text, body.choices[0].text, "stop may be one string");
  });

  test("model names an adapter: its LoRA is applied; the base name still gets the base model", async () => {
    const base = await post("/v1/completions", { ...GREEDY, model: "tiny" });
    const adapted = await post("/v1/completions", { ...GREEDY, model: "tiny-lora" });
    assert.equal(adapted.status, 200);
    assert.equal(adapted.body.model, "tiny-lora");
    const direct = await fixture.llm.complete({
      prompt: GREEDY.prompt,
      maxTokens: 8,
      temperature: 0,
      topP: 1,
      repetitionPenalty: 1,
      seed: 0,
      adapter: fixture.loraPath,
    });
    assert.equal(adapted.body.choices[0].text, direct.text);
    assert.notEqual(adapted.body.choices[0].text, base.body.choices[0].text);
  });

  test("n choices per prompt, several prompts; a seed makes sampled choices reproducible", async () => {
    const request = { prompt: ["hello", "the model"], n: 2, max_tokens: 6, temperature: 1.5, seed: 11 };
    const a = await post("/v1/completions", request);
    const b = await post("/v1/completions", request);
    assert.equal(a.status, 200);
    assert.deepEqual(
      a.body.choices.map((c: { index: number }) => c.index),
      [0, 1, 2, 3],
    );
    assert.deepEqual(a.body.choices, b.body.choices);
    assert.equal(a.body.usage.completion_tokens, 24);
  });
});

describe("POST /v1/chat/completions", () => {
  test("renders the conversation with the chat template and answers as the assistant", async () => {
    const messages = [
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "text", text: "hello world" }] },
    ];
    const { status, body } = await post("/v1/chat/completions", { messages, max_tokens: 6, temperature: 0 });
    assert.equal(status, 200);
    assert.equal(body.object, "chat.completion");
    assert.match(body.id, /^chatcmpl-/);
    const prompt =
      "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello world<|im_end|>\n<|im_start|>assistant\n";
    const direct = await fixture.llm.complete({
      prompt,
      maxTokens: 6,
      temperature: 0,
      topP: 1,
      repetitionPenalty: 1,
      seed: 0,
    });
    assert.deepEqual(body.choices[0], {
      index: 0,
      message: { role: "assistant", content: direct.text },
      logprobs: null,
      finish_reason: "length",
    });
    assert.equal(body.usage.completion_tokens, 6);
  });

  test("max_completion_tokens is honoured like max_tokens", async () => {
    const messages = [{ role: "user", content: "hello" }];
    const { body } = await post("/v1/chat/completions", {
      messages,
      max_completion_tokens: 3,
      temperature: 0,
    });
    assert.equal(body.usage.completion_tokens, 3);
  });

  test("a server without a chat template refuses chat and says to use completions", async () => {
    const { status, body } = await post(
      "/v1/chat/completions",
      { messages: [{ role: "user", content: "hi" }] },
      bare,
    );
    assert.equal(status, 400);
    assert.match(body.error.message, /no chat template.*\/v1\/completions/);
  });
});

describe("errors", () => {
  test("a missing prompt is a 400 naming the field, in the OpenAI error shape", async () => {
    const { status, body } = await post("/v1/completions", { max_tokens: 4 });
    assert.equal(status, 400);
    assert.deepEqual(body, {
      error: {
        message: "invalid request: prompt is required",
        type: "invalid_request_error",
        code: "invalid_argument",
        param: "prompt",
      },
    });
  });

  test("a negative max_tokens is a 400 naming max_tokens; every wrong field is listed", async () => {
    const { status, body } = await post("/v1/completions", { prompt: "x", max_tokens: -1, top_p: 2 });
    assert.equal(status, 400);
    assert.equal(body.error.param, "max_tokens");
    assert.match(body.error.message, /max_tokens must be >= 1/);
    assert.match(body.error.message, /top_p must be <= 1/);
  });

  test("numbers are not coerced from strings, and nested fields are named by path", async () => {
    const asText = await post("/v1/completions", { prompt: "x", max_tokens: "16" });
    assert.equal(asText.status, 400);
    assert.match(asText.body.error.message, /max_tokens must be integer/);
    const chat = await post("/v1/chat/completions", { messages: [{ role: "robot", content: "hi" }] });
    assert.equal(chat.status, 400);
    assert.equal(chat.body.error.param, "messages[0].role");
    assert.match(chat.body.error.message, /messages\[0\]\.role must be one of "system"/);
  });

  test("an unknown model is a 404 that names the served models", async () => {
    const { status, body } = await post("/v1/completions", { ...GREEDY, model: "gpt-4" });
    assert.equal(status, 404);
    assert.equal(body.error.param, "model");
    assert.equal(
      body.error.message,
      'the model "gpt-4" does not exist; this server serves "tiny", "tiny-lora"',
    );
  });

  test("a body over the limit is a 413 that states the limit", async () => {
    const { status, body } = await post("/v1/completions", { ...GREEDY, prompt: "a".repeat(5000) });
    assert.equal(status, 413);
    assert.equal(body.error.code, "payload_too_large");
    assert.match(body.error.message, /4096 bytes/);
  });

  test("options the server cannot honour are refused, not ignored", async () => {
    for (const [field, value] of [
      ["stream", true],
      ["frequency_penalty", 0.5],
      ["logprobs", 3],
    ] as const) {
      const { status, body } = await post("/v1/completions", { ...GREEDY, [field]: value });
      assert.equal(status, 400, field);
      assert.equal(body.error.param, field);
    }
    const off = await post("/v1/completions", {
      ...GREEDY,
      stream: false,
      presence_penalty: 0,
      logprobs: null,
    });
    assert.equal(off.status, 200, "their off values pass");
  });

  test("malformed JSON is a 400 and an unknown route a 404, both as OpenAI errors", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/v1/completions",
      headers: { "content-type": "application/json" },
      payload: "{ not json",
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().error.message, /not valid JSON/);
    const missing = await post("/v1/embeddings", { input: "x" });
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /no route POST \/v1\/embeddings/);
  });

  test("a prompt longer than the context is a 400 from the model, with its reason", async () => {
    const { status, body } = await post("/v1/completions", { prompt: "hello ".repeat(300), max_tokens: 4 });
    assert.equal(status, 400);
    assert.match(body.error.message, /context size/);
  });
});
