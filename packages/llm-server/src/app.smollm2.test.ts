/**
 * The server over the real default model, SmolLM2-135M-Instruct, listening on a real port and asked
 * with fetch, as an OpenAI client would. Skips, saying why, when the model is not cached.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createLlamaLlm, defaultModelPath, type LlamaLlm, MODEL_PATH_ENV } from "@isara/llm-llama";
import type { FastifyInstance } from "fastify";
import { createLlmServerApp } from "./app.js";
import { createChatFormatter } from "./chat-formatter.js";
import { readChatTemplate } from "./chat-template-file.js";

const MODEL = defaultModelPath();
const SKIP = existsSync(MODEL)
  ? false
  : `needs the SmolLM2 GGUF at ${MODEL}, which is not there; run infra/fetch-models.sh (or set ${MODEL_PATH_ENV})`;

const QUESTION = "BEGINNING OF CONVERSATION: USER: What is the capital of France? ASSISTANT:";
const CHAT = [
  { role: "system", content: "You answer in one short sentence." },
  { role: "user", content: "What is the capital of France?" },
];

describe("SmolLM2-135M-Instruct over HTTP", () => {
  let llm: LlamaLlm | undefined;
  let app: FastifyInstance | undefined;
  let url = "";

  before(async () => {
    if (SKIP !== false) return;
    llm = await createLlamaLlm({ modelPath: MODEL, contextSize: 512, specialTokens: true });
    const template = await readChatTemplate(MODEL);
    assert.ok(template, "the model carries a chat template");
    app = createLlmServerApp({
      llm,
      tokenizer: llm,
      modelName: "smollm2",
      chatFormatter: createChatFormatter(template),
    });
    url = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  after(async () => {
    await app?.close();
    await llm?.close();
  });

  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON response fields
  async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON response fields
  async function get(path: string): Promise<{ status: number; json: any }> {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, json: await res.json() };
  }

  test("GET /v1/models names the served model", { skip: SKIP }, async () => {
    const body = (await get("/v1/models")).json;
    assert.deepEqual(
      body.data.map((m: { id: string }) => m.id),
      ["smollm2"],
    );
  });

  test("a greedy completion answers the question, the same way twice", { skip: SKIP }, async () => {
    const request = { model: "smollm2", prompt: QUESTION, max_tokens: 12, temperature: 0 };
    const [a, b] = await Promise.all([post("/v1/completions", request), post("/v1/completions", request)]);
    assert.equal(a.status, 200);
    assert.match(a.json.choices[0].text, /Paris/);
    assert.equal(b.json.choices[0].text, a.json.choices[0].text);
  });

  test("a stop string cuts the answer before it; max_tokens ends with length", { skip: SKIP }, async () => {
    const stopped = await post("/v1/completions", {
      prompt: QUESTION,
      max_tokens: 16,
      temperature: 0,
      stop: ["Paris"],
    });
    assert.equal(stopped.json.choices[0].finish_reason, "stop");
    assert.equal(stopped.json.choices[0].text, " The capital of France is ");
    const short = await post("/v1/completions", { prompt: QUESTION, max_tokens: 3, temperature: 0 });
    assert.equal(short.json.choices[0].finish_reason, "length");
    assert.equal(short.json.usage.completion_tokens, 3);
  });

  test("chat: the model's template turns the conversation into a prompt it answers, then stops", {
    skip: SKIP,
  }, async () => {
    const request = { model: "smollm2", messages: CHAT, max_tokens: 16, temperature: 0 };
    const [a, b] = await Promise.all([
      post("/v1/chat/completions", request),
      post("/v1/chat/completions", request),
    ]);
    assert.equal(a.status, 200);
    const choice = a.json.choices[0];
    assert.equal(choice.message.role, "assistant");
    assert.match(choice.message.content, /Paris/);
    assert.equal(choice.finish_reason, "stop", "the model ends its turn with <|im_end|> before 16 tokens");
    assert.ok(!choice.message.content.includes("<|im_"), "no chat markup leaks into the answer");
    assert.equal(b.json.choices[0].message.content, choice.message.content);
  });

  test("validation errors come back over HTTP too", { skip: SKIP }, async () => {
    const missing = await post("/v1/completions", { max_tokens: 4 });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error.param, "prompt");
    const unknown = await post("/v1/chat/completions", { model: "gpt-4o", messages: CHAT });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error.message, /serves "smollm2"/);
  });
});
