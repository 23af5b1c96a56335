import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createHealthRegistry } from "./health.js";
import { createRootLogger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { createProbeListener } from "./probe-server.js";

const health = createHealthRegistry();
const metrics = createMetrics({ prefix: "isara_" });
let ready = false;
health.register("model", () => {
  if (!ready) throw new Error("the model is not loaded yet");
  return "serving tiny";
});
health.register("broken", () => true, { kind: "liveness" });
metrics
  .counter({ name: "evaluations_total", help: "h", labelNames: ["outcome"] })
  .inc({ outcome: "evaluated" });

let server: Server;
let base: string;
before(async () => {
  server = createServer(
    createProbeListener({ health, metrics, logger: createRootLogger({ level: "silent", name: "t" }) }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server?.close());

test("readiness follows the checks and says which one fails; draining makes it fail", async () => {
  const starting = await fetch(`${base}/readyz`);
  assert.equal(starting.status, 503);
  assert.deepEqual(
    ((await starting.json()) as { checks: { model: { detail: string } } }).checks.model.detail,
    "the model is not loaded yet",
  );
  ready = true;
  const up = await fetch(`${base}/readyz`);
  assert.equal(up.status, 200);
  assert.equal(up.headers.get("content-type"), "application/json");
  health.startDraining("SIGTERM");
  assert.equal((await fetch(`${base}/readyz`)).status, 503);
  assert.equal((await fetch(`${base}/healthz`)).status, 200, "draining is not a reason to restart");
});

test("metrics are served in the Prometheus text format; unknown paths and methods are refused", async () => {
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  assert.match(await res.text(), /isara_evaluations_total\{outcome="evaluated"\} 1/);
  const missing = await fetch(`${base}/status`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /try \/healthz, \/readyz or \/metrics/);
  const post = await fetch(`${base}/readyz`, { method: "POST" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
});

test("a notFoundHint is appended to the 404 message", async () => {
  const hinted = createServer(
    createProbeListener({
      health,
      metrics,
      logger: createRootLogger({ level: "silent", name: "t" }),
      notFoundHint: "(the API is gRPC)",
    }),
  );
  await new Promise<void>((resolve) => hinted.listen(0, "127.0.0.1", resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(hinted.address() as AddressInfo).port}/v1/samples`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      error: "no route /v1/samples; try /healthz, /readyz or /metrics (the API is gRPC)",
    });
  } finally {
    hinted.close();
  }
});
