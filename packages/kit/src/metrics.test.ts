import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { createMetrics } from "./metrics.js";

describe("metrics", () => {
  it("renders counters and gauges with HELP, TYPE and labelled series", async () => {
    const metrics = createMetrics({ prefix: "isara_" });
    const samples = metrics.counter({
      name: "samples_total",
      help: "Samples generated.",
      labelNames: ["domain"],
    });
    samples.inc({ domain: "law" });
    samples.inc({ domain: "law" }, 2);
    samples.inc({ domain: "med" });
    const depth = metrics.gauge({ name: "queue_depth", help: "Messages waiting." });
    depth.set(7);
    const text = await metrics.render();
    assert.match(text, /^# HELP isara_samples_total Samples generated\.$/m);
    assert.match(text, /^# TYPE isara_samples_total counter$/m);
    assert.match(text, /^isara_samples_total\{domain="law"\} 3$/m);
    assert.match(text, /^isara_samples_total\{domain="med"\} 1$/m);
    assert.match(text, /^# TYPE isara_queue_depth gauge$/m);
    assert.match(text, /^isara_queue_depth 7$/m);
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
  });

  it("renders histograms as cumulative buckets with +Inf, sum and count", async () => {
    const metrics = createMetrics();
    const h = metrics.histogram({
      name: "step_seconds",
      help: "Step duration.",
      labelNames: ["step"],
      buckets: [0.1, 1],
    });
    h.observe({ step: "filter" }, 0.05);
    h.observe({ step: "filter" }, 0.5);
    h.observe({ step: "filter" }, 3);
    const text = await metrics.render();
    assert.match(text, /^# TYPE step_seconds histogram$/m);
    assert.match(text, /^step_seconds_bucket\{le="0\.1",step="filter"\} 1$/m);
    assert.match(text, /^step_seconds_bucket\{le="1",step="filter"\} 2$/m);
    assert.match(text, /^step_seconds_bucket\{le="\+Inf",step="filter"\} 3$/m);
    assert.match(text, /^step_seconds_sum\{step="filter"\} 3\.55$/m);
    assert.match(text, /^step_seconds_count\{step="filter"\} 3$/m);
  });

  it("escapes label values and adds default labels to every series", async () => {
    const metrics = createMetrics({ defaultLabels: { service: "gateway" } });
    const c = metrics.counter({ name: "errors_total", help: "Errors.", labelNames: ["reason"] });
    c.inc({ reason: 'bad "quote"\nand \\ slash' });
    const text = await metrics.render();
    assert.match(text, /^errors_total\{reason="bad \\"quote\\"\\nand \\\\ slash",service="gateway"\} 1$/m);
  });

  it("refreshes a gauge through collect on each scrape", async () => {
    const metrics = createMetrics();
    let lag = 5;
    metrics.gauge({
      name: "consumer_lag",
      help: "Messages behind.",
      collect() {
        this.set(lag);
      },
    });
    assert.match(await metrics.render(), /^consumer_lag 5$/m);
    lag = 9;
    assert.match(await metrics.render(), /^consumer_lag 9$/m);
  });

  it("keeps registries apart and refuses duplicate or invalid names", () => {
    const a = createMetrics();
    const b = createMetrics();
    a.counter({ name: "runs_total", help: "Runs." });
    b.counter({ name: "runs_total", help: "Runs." });
    assert.throws(
      () => a.counter({ name: "runs_total", help: "again" }),
      (e) => isIsaraError(e, "invalid_argument"),
    );
    assert.throws(() => a.gauge({ name: "bad name", help: "x" }), /cannot create gauge "bad name"/);
  });

  it("adds Node process metrics when asked", async () => {
    const metrics = createMetrics({ prefix: "isara_", processMetrics: true });
    assert.match(await metrics.render(), /^isara_process_cpu_user_seconds_total /m);
  });
});
