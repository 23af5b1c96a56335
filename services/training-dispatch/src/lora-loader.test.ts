import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { IsaraError } from "@isara/core";
import { createLoraLoader } from "./lora-loader.js";

/**
 * A STAND-IN for vLLM's runtime LoRA endpoint (vLLM cannot run on these machines): it answers
 * `POST /v1/load_lora_adapter` as vLLM 0.6+ does — 200 on a first load, 400 "has already been
 * loaded" on a second load of the same name — and remembers what it was asked.
 */
function vllmStandIn(): { server: Server; loaded: Map<string, string>; fail: { status: number } } {
  const loaded = new Map<string, string>();
  const fail = { status: 0 };
  const body = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    return JSON.parse(text) as { lora_name: string; lora_path: string };
  };
  const server = createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/v1/load_lora_adapter") {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (fail.status !== 0) {
      res.statusCode = fail.status;
      res.end("server busy");
      return;
    }
    const { lora_name, lora_path } = await body(req);
    if (loaded.has(lora_name)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ message: `The lora adapter '${lora_name}' has already been loaded.` }));
      return;
    }
    loaded.set(lora_name, lora_path);
    res.end(`Success: LoRA adapter '${lora_name}' added successfully.`);
  });
  return { server, loaded, fail };
}

describe("createLoraLoader", () => {
  const a = vllmStandIn();
  const b = vllmStandIn();
  const urls: string[] = [];
  before(async () => {
    for (const s of [a, b]) {
      await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
      urls.push(`http://127.0.0.1:${(s.server.address() as AddressInfo).port}/`);
    }
  });
  after(() => {
    a.server.close();
    b.server.close();
  });

  test("every server of the fleet gets the adapter by name and path; a second load counts as loaded", async () => {
    const loader = createLoraLoader(urls);
    await loader.load("run-a/rounds/1/train", "/artifacts/run-a/rounds/1/train/adapter");
    await loader.load("run-a/rounds/1/train", "/artifacts/run-a/rounds/1/train/adapter");
    for (const s of [a, b])
      assert.equal(s.loaded.get("run-a/rounds/1/train"), "/artifacts/run-a/rounds/1/train/adapter");
  });

  test("a server that refuses is named in an unavailable error (the work is retried)", async () => {
    b.fail.status = 503;
    try {
      await assert.rejects(
        createLoraLoader(urls).load("run-b/rounds/1/train", "/x"),
        (err) =>
          err instanceof IsaraError &&
          err.code === "unavailable" &&
          err.message.includes("HTTP 503 server busy"),
      );
    } finally {
      b.fail.status = 0;
    }
  });

  test("no servers configured: nothing to do", async () => {
    await createLoraLoader([]).load("x", "/x");
  });
});
