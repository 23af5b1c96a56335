import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A FAKE OpenAI-compatible server, for tests only. It stands for vLLM / llama.cpp server, which
 * cannot run in a unit test: it listens on a loopback port, records every request, and answers
 * either with replies a test scripts (failures, delays, odd bodies) or, by default, like a tiny
 * OpenAI-compatible server whose "model" echoes the input word by word. Nothing here generates text.
 */
export interface FakeOpenAiServer {
  /** Root URL to pass as `baseUrl`, e.g. `http://127.0.0.1:41234`. */
  readonly baseUrl: string;
  /** Every request received so far, in arrival order. */
  readonly requests: readonly FakeRequest[];
  /** Scripts the answers to the next requests, in order; after them the default behaviour returns. */
  enqueue(...replies: FakeReply[]): void;
  /** Resolves once `count` requests in all have arrived (e.g. to abort one mid-flight). */
  received(count: number): Promise<void>;
  /** Drops every open connection (hung replies included) and stops listening. */
  close(): Promise<void>;
}

/** A request as the fake saw it. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON, or `undefined` when it was not JSON. */
  readonly body: unknown;
}

/** A scripted answer: a status with JSON or raw text, or `hang` to never answer. */
export type FakeReply =
  | {
      readonly status?: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly json?: unknown;
      readonly text?: string;
    }
  | { readonly hang: true };

/** Settings of {@link startFakeOpenAiServer}. */
export interface FakeOpenAiServerOptions {
  /** Model names the default behaviour serves (LoRA adapters count as models); default `["smollm2"]`. */
  readonly models?: readonly string[];
}

/** Starts a {@link FakeOpenAiServer} on `127.0.0.1` and a free port. */
export async function startFakeOpenAiServer(
  options: FakeOpenAiServerOptions = {},
): Promise<FakeOpenAiServer> {
  const models = options.models ?? ["smollm2"];
  const requests: FakeRequest[] = [];
  const script: FakeReply[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const request: FakeRequest = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: parseJson(raw),
      };
      requests.push(request);
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      send(res, script.shift() ?? answer(request, models));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => {
      script.push(...replies);
    },
    received: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, reply: FakeReply): void {
  if ("hang" in reply) return;
  const body = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
  res.writeHead(reply.status ?? 200, {
    "content-type": reply.text === undefined ? "application/json" : "text/plain",
    ...reply.headers,
  });
  res.end(body);
}

/** An error body in the shape vLLM and OpenAI send. */
function error(status: number, type: string, message: string): FakeReply {
  return { status, json: { error: { message, type, code: status } } };
}

/** The default behaviour: a minimal OpenAI-compatible server whose model echoes its input. */
function answer(request: FakeRequest, models: readonly string[]): FakeReply {
  if (request.method === "GET" && request.path === "/v1/models") {
    return { json: { object: "list", data: models.map((id) => ({ id, object: "model" })) } };
  }
  const isCompletion = request.path === "/v1/completions";
  if (request.method !== "POST" || (!isCompletion && request.path !== "/v1/chat/completions")) {
    return error(404, "NotFoundError", `no route ${request.method} ${request.path}`);
  }
  if (typeof request.body !== "object" || request.body === null) {
    return error(400, "BadRequestError", "the body must be a JSON object");
  }
  const body = request.body as Record<string, unknown>;
  if (typeof body.model !== "string" || !models.includes(body.model)) {
    return error(404, "NotFoundError", `The model \`${String(body.model)}\` does not exist.`);
  }
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) {
    return error(400, "BadRequestError", "max_tokens must be a positive integer");
  }
  const input = isCompletion ? body.prompt : lastMessage(body.messages);
  if (typeof input !== "string") {
    return error(400, "BadRequestError", isCompletion ? "prompt must be a string" : "messages are malformed");
  }
  const { text, tokens, finish } = echo(input, maxTokens, Array.isArray(body.stop) ? body.stop : []);
  const usage = { prompt_tokens: words(input).length, completion_tokens: tokens };
  const choice = isCompletion
    ? { index: 0, text, finish_reason: finish }
    : { index: 0, message: { role: "assistant", content: text }, finish_reason: finish };
  return { json: { id: "fake-completion", object: "fake", model: body.model, choices: [choice], usage } };
}

function lastMessage(messages: unknown): unknown {
  if (!Array.isArray(messages)) return undefined;
  const last: unknown = messages.at(-1);
  return typeof last === "object" && last !== null ? (last as Record<string, unknown>).content : undefined;
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

/** The fake "generation": the input's words, at most `maxTokens`, cut before the first stop string. */
function echo(input: string, maxTokens: number, stop: readonly unknown[]) {
  const all = words(input);
  const text = ` ${all.slice(0, maxTokens).join(" ")}`;
  for (const s of stop) {
    const at = typeof s === "string" && s !== "" ? text.indexOf(s) : -1;
    if (at >= 0) return { text: text.slice(0, at), tokens: words(text.slice(0, at)).length, finish: "stop" };
  }
  return {
    text,
    tokens: Math.min(all.length, maxTokens),
    finish: all.length > maxTokens ? "length" : "stop",
  };
}
