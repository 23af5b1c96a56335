import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { Phase, RunLifecycle } from "@isara/contracts";
import { AUTH, domainBody, type GatewayFixture, startGateway } from "./gateway-fixture.js";

let fx: GatewayFixture;

before(async () => {
  fx = await startGateway({ sseHeartbeatMs: 60_000 });
  await fx.app.server.inject({
    method: "POST",
    url: "/v1/domains",
    headers: AUTH.acme,
    payload: domainBody("habits"),
  });
  for (const runId of ["watched", "left", "closing"]) {
    const res = await fx.app.server.inject({
      method: "POST",
      url: "/v1/runs",
      headers: AUTH.acme,
      payload: { domain: "habits", runId },
    });
    assert.equal(res.statusCode, 201);
  }
});
after(() => fx.close());

/** Parses an SSE body into `[event, data]` pairs (comments skipped). */
function frames(body: string): [string, unknown][] {
  return body
    .split("\n\n")
    .filter((block) => block.includes("event:"))
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null";
      return [event, JSON.parse(data) as unknown];
    });
}

test("events stream every status change of the run, then `end` once it is final", async () => {
  const response = fx.app.server.inject({
    method: "GET",
    url: "/v1/runs/watched/events",
    headers: { ...AUTH.acme, "x-request-id": "watch-1" },
  });
  await fx.controller.watched("acme--watched");
  fx.controller.update("acme--watched", { round: 1, phase: Phase.PROMPTS, progress: { done: 4, total: 16 } });
  fx.controller.update("acme--watched", {
    round: 1,
    phase: Phase.EVALUATE,
    lifecycle: RunLifecycle.DONE,
    stopReason: "reached the last round (1)",
  });
  const res = await response;
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /^text\/event-stream/);
  assert.equal(res.headers["x-request-id"], "watch-1");
  const events = frames(res.body);
  assert.deepEqual(
    events.map(([event, data]) => [
      event,
      (data as { state: string }).state,
      (data as { phase?: string }).phase,
    ]),
    [
      ["status", "running", "evaluate"],
      ["status", "running", "prompts"],
      ["status", "done", "evaluate"],
      ["end", "done", undefined],
    ],
  );
  const [, second] = events[1] ?? [];
  assert.deepEqual((second as { progress: unknown; id: string }).progress, { done: 4, total: 16 });
  assert.equal((second as { id: string }).id, "watched", "events show the tenant's run id");
  const [watch] = fx.controller.callsOf("WatchRun");
  assert.equal(watch?.metadata["x-request-id"], "watch-1");
});

test("an unknown run answers a plain JSON 404, not a stream", async () => {
  const res = await fx.app.server.inject({ method: "GET", url: "/v1/runs/nope/events", headers: AUTH.acme });
  assert.equal(res.statusCode, 404);
  assert.match(String(res.headers["content-type"]), /application\/json/);
  assert.equal((res.json() as { error: { code: string } }).error.code, "not_found");
});

/** Opens the event stream over a real socket and resolves with the request once the first event arrived. */
function openStream(
  port: number,
  run: string,
): Promise<{ close: () => void; text: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path: `/v1/runs/${run}/events`, headers: AUTH.acme }, (res) => {
      let body = "";
      const ended = new Promise<void>((done) => res.on("end", done).on("close", done));
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const first = body === "";
        body += chunk;
        if (first) resolve({ close: () => req.destroy(), text: () => body, ended });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

test("a client that goes away cancels the controller stream; shutdown ends open streams with `shutdown`", async () => {
  await fx.app.server.listen({ port: 0, host: "127.0.0.1" });
  const { port } = fx.app.server.server.address() as AddressInfo;

  const left = await openStream(port, "left");
  assert.equal(fx.controller.watcherCount("acme--left"), 1);
  left.close();
  for (let i = 0; i < 200 && fx.controller.watcherCount("acme--left") > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fx.controller.watcherCount("acme--left"), 0, "the WatchRun call was cancelled");

  const open = await openStream(port, "closing");
  await fx.app.server.close();
  await open.ended;
  const events = frames(open.text()).map(([event]) => event);
  assert.deepEqual(events, ["status", "shutdown"]);
});
