import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { createHealthRegistry } from "./health.js";

describe("health registry", () => {
  it("is ready when every readiness check passes, sync or async, with details", async () => {
    const health = createHealthRegistry();
    health.register("qdrant", async () => undefined);
    health.register("kafka", () => "3 partitions assigned");
    health.register("model", () => true);
    const report = await health.readiness();
    assert.equal(report.status, "ok");
    assert.deepEqual(Object.keys(report.checks).sort(), ["kafka", "model", "qdrant"]);
    assert.equal(report.checks.kafka?.detail, "3 partitions assigned");
    assert.equal(report.checks.qdrant?.status, "ok");
    assert.equal(typeof report.checks.qdrant?.durationMs, "number");
  });

  it("fails readiness when any check throws, rejects, returns false or hangs, saying why", async () => {
    const health = createHealthRegistry({ defaultTimeoutMs: 1000 });
    health.register("ok", () => true);
    health.register("throws", () => {
      throw new Error("connection refused");
    });
    health.register("rejects", () => Promise.reject(new Error("503 from qdrant")));
    health.register("false", () => false);
    health.register("hangs", () => new Promise(() => {}), { timeoutMs: 20 });
    const report = await health.readiness();
    assert.equal(report.status, "fail");
    assert.equal(report.checks.ok?.status, "ok");
    assert.deepEqual(
      {
        throws: report.checks.throws?.detail,
        rejects: report.checks.rejects?.detail,
        false: report.checks.false?.detail,
      },
      { throws: "connection refused", rejects: "503 from qdrant", false: "check returned false" },
    );
    assert.equal(report.checks.hangs?.status, "fail");
    assert.equal(report.checks.hangs?.detail, "timed out after 20ms");
  });

  it("keeps liveness apart from readiness: dependency failures and draining do not restart the pod", async () => {
    const health = createHealthRegistry();
    health.register("qdrant", () => false);
    assert.deepEqual(await health.liveness(), { status: "ok", checks: {} });
    health.register("event-loop", () => false, { kind: "liveness" });
    const live = await health.liveness();
    assert.equal(live.status, "fail");
    assert.deepEqual(Object.keys(live.checks), ["event-loop"]);
  });

  it("fails readiness while draining, without calling the checks", async () => {
    const health = createHealthRegistry();
    let calls = 0;
    health.register("qdrant", () => {
      calls++;
      return true;
    });
    assert.equal((await health.readiness()).status, "ok");
    assert.equal(health.draining, false);
    health.startDraining("SIGTERM");
    health.startDraining("second reason is ignored");
    assert.equal(health.draining, true);
    const report = await health.readiness();
    assert.equal(report.status, "fail");
    assert.equal(report.checks.draining?.detail, "shutting down (SIGTERM)");
    assert.equal(calls, 1);
    assert.equal((await health.liveness()).status, "ok");
  });

  it("refuses duplicate or empty names and bad timeouts", () => {
    const health = createHealthRegistry();
    health.register("qdrant", () => true);
    assert.throws(
      () => health.register("qdrant", () => true),
      (e) => isIsaraError(e, "invalid_argument"),
    );
    assert.throws(
      () => health.register("", () => true),
      (e) => isIsaraError(e, "invalid_argument"),
    );
    assert.throws(() => health.register("x", () => true, { timeoutMs: -1 }), /timeoutMs must be a positive/);
  });
});
