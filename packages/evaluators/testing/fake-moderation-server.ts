/**
 * FAKE moderation server for tests: a loopback `node:http` server that speaks the two wire formats
 * of the HTTP classifier (OpenAI `/v1/moderations` and TEI `/predict`). No moderation model can run
 * on the machines the tests run on, so this stands in for one. Its "model" is a keyword rule: a text
 * mentioning violence words scores high on `violence` (OpenAI format) and on `toxic` (TEI format).
 * It can fail or stall its first requests, to exercise retries and timeouts.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link startFakeModerationServer}. */
export interface FakeModerationOptions {
  /** The first this-many requests get `failStatus` instead of an answer. Default 0. */
  readonly failFirst?: number;
  /** Status of the failing requests. Default 503. */
  readonly failStatus?: number;
  /** The first this-many requests (after the failing ones) never get an answer. Default 0. */
  readonly stallFirst?: number;
}

/** A request the fake received. */
export interface FakeModerationRequest {
  readonly path: string;
  readonly body: unknown;
  readonly authorization?: string;
}

/** A running fake; `close()` stops it. */
export interface FakeModerationServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, failed ones included, in arrival order. */
  readonly requests: readonly FakeModerationRequest[];
  close(): Promise<void>;
}

const VIOLENT = /\b(kill|bomb|weapon|hurt|attack)\w*/i;

/** The fake's score for a text: 0.9 when it mentions violence, else 0.02. */
export function fakeViolenceScore(text: string): number {
  return VIOLENT.test(text) ? 0.9 : 0.02;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

function texts(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
}

/** Starts the FAKE moderation server on a free loopback port. */
export async function startFakeModerationServer(
  options: FakeModerationOptions = {},
): Promise<FakeModerationServer> {
  const requests: FakeModerationRequest[] = [];
  let failuresLeft = options.failFirst ?? 0;
  let stallsLeft = options.stallFirst ?? 0;
  const server = createServer((req, res) => {
    const send = (status: number, reply: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply));
    };
    readBody(req).then(
      (body) => {
        const path = req.url ?? "";
        requests.push({
          path,
          body,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        });
        if (failuresLeft > 0) {
          failuresLeft--;
          return send(options.failStatus ?? 503, { error: "fake overload" });
        }
        if (stallsLeft > 0) {
          stallsLeft--;
          return;
        }
        const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
        if (req.method === "POST" && path === "/v1/moderations") {
          const input = texts(record.input);
          if (!input) return send(400, { error: { message: "input must be a string or a list of strings" } });
          const results = input.map((t) => {
            const violence = fakeViolenceScore(t);
            return {
              flagged: violence >= 0.5,
              category_scores: { violence, harassment: 0.01, "self-harm": 0.01 },
            };
          });
          return send(200, { id: "modr-fake", model: "fake-moderation", results });
        }
        if (req.method === "POST" && path === "/predict") {
          const input = texts(record.inputs);
          if (!input) return send(422, { error: "inputs must be a string or a list of strings" });
          return send(
            200,
            input.map((t) => {
              const violent = fakeViolenceScore(t) >= 0.5;
              const toxic = { label: "toxic", score: violent ? 0.9 : 0.02 };
              const clean = { label: "non_toxic", score: violent ? 0.1 : 0.98 };
              return violent ? [toxic, clean] : [clean, toxic];
            }),
          );
        }
        return send(404, { error: `no route ${req.method} ${path}` });
      },
      () => send(400, { error: "body is not JSON" }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
