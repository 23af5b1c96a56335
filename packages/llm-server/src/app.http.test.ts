/**
 * The app listening on a real port (0: any free one) and asked with fetch, on a tiny GGUF model, so
 * the socket path (JSON parsing, content types, a client hanging up) is tested on every machine.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Completion, isIsaraError, type Llm } from "@isara/core";
import type { FastifyInstance } from "fastify";
import { makeTinyServerFixture, type TinyServerFixture } from "../testing/tiny-server-fixture.js";
import { createLlmServerApp } from "./app.js";

let fixture: TinyServerFixture;
/** Every completion the app started, with the signal it passed, to see what a hang-up does to them. */
const started: { signal: AbortSignal | undefined; result: Promise<Completion> }[] = [];

// biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON response fields
const json = (res: Response): Promise<any> => res.json();
let app: FastifyInstance;
let url = "";

before(async () => {
  fixture = await makeTinyServerFixture(2048);
  const llm = fixture.llm;
  const watched: Llm = {
    modelId: llm.modelId,
    parallelism: llm.parallelism,
    close: () => llm.close(),
    complete(request, signal) {
      const result = llm.complete(request, signal);
      started.push({ signal, result });
      return result;
    },
  };
  app = createLlmServerApp({ llm: watched, modelName: "tiny", adapters: { lora: fixture.loraPath } });
  url = await app.listen({ host: "127.0.0.1", port: 0 });
});
after(async () => {
  await app?.close();
  await fixture?.cleanup();
});

test("an OpenAI-style client gets completions and models over HTTP", async () => {
  const models = await json(await fetch(`${url}/v1/models`));
  assert.deepEqual(
    models.data.map((m: { id: string }) => m.id),
    ["tiny", "lora"],
  );
  const res = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "lora", prompt: "hello world", max_tokens: 5, temperature: 0 }),
  });
  assert.equal(res.status, 200);
  const body = await json(res);
  assert.equal(body.choices[0].finish_reason, "length");
  assert.equal(body.usage.completion_tokens, 5);
  assert.equal(body.usage.prompt_tokens, undefined, "no tokenizer given, so no prompt count is claimed");
});

test("a body that is not a JSON object is refused: 415 for a form, 400 for plain text", async () => {
  const form = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "prompt=hello",
  });
  assert.equal(form.status, 415);
  assert.match((await json(form)).error.message, /application\/json/);
  const text = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "hello world",
  });
  assert.equal(text.status, 400);
  assert.match((await json(text)).error.message, /body must be object/);
});

test("a client that hangs up stops its completion, and the server goes on serving", async () => {
  started.length = 0;
  const client = new AbortController();
  const pending = fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt: "hello", max_tokens: 2000, temperature: 0 }),
    signal: client.signal,
  }).then(
    () => "answered",
    () => "hung up",
  );
  while (started.length === 0) await sleep(5);
  client.abort();
  assert.equal(await pending, "hung up");
  const [first] = started;
  await assert.rejects(first?.result ?? Promise.resolve(), (err) => isIsaraError(err, "cancelled"));
  assert.equal(first?.signal?.aborted, true);
  const next = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ prompt: "hello", max_tokens: 2 }),
  });
  assert.equal(next.status, 200);
});
