import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError, tenantOfRunId } from "@isara/core";
import { admissionOf, limitsOf, resolveTenant, type TenantLimits } from "./admission.js";

const limits: TenantLimits = {
  maxRunningRuns: 2,
  maxQueuedRuns: 2,
  tenants: new Map([["acme", { maxRunningRuns: 5, maxQueuedRuns: 0 }]]),
};

test("a run's tenant: the given one, else its id's <tenant>-- prefix, else the tenant ''", () => {
  assert.equal(tenantOfRunId("acme--first"), "acme");
  assert.equal(tenantOfRunId("acme-labs--a--b"), "acme-labs", "the first -- splits");
  assert.equal(tenantOfRunId("plain-run"), undefined);
  assert.equal(tenantOfRunId("--x"), undefined);
  assert.equal(tenantOfRunId(`${"t".repeat(25)}--x`), undefined, "longer than a tenant name");
  assert.equal(resolveTenant("acme--first", ""), "acme");
  assert.equal(resolveTenant("plain", "globex"), "globex");
  assert.equal(resolveTenant("plain", ""), "");
});

test("a new run starts while its tenant has room and nobody waits, else waits while the queue has room", () => {
  assert.equal(admissionOf("x", { running: 1, queued: 0 }, limits), "start");
  assert.equal(admissionOf("x", { running: 1, queued: 1 }, limits), "queue", "first come, first served");
  assert.equal(admissionOf("x", { running: 2, queued: 0 }, limits), "queue");
  assert.throws(
    () => admissionOf("x", { running: 2, queued: 2 }, limits),
    (err) =>
      isIsaraError(err, "resource_exhausted") &&
      /TENANT_MAX_RUNNING=2, TENANT_MAX_QUEUED=2/.test(err.message) &&
      /TENANT_LIMITS="x=<running>\/<queued>"/.test(err.message),
  );
  assert.equal(admissionOf("acme", { running: 4, queued: 0 }, limits), "start", "its own limits");
  assert.throws(() => admissionOf("acme", { running: 5, queued: 0 }, limits), /TENANT_LIMITS acme=5\/0/);
  assert.throws(
    () => admissionOf("", { running: 2, queued: 2 }, limits),
    (err) =>
      isIsaraError(err, "resource_exhausted") &&
      /the runs without a tenant \(tenant ""\)/.test(err.message) &&
      /raise TENANT_MAX_QUEUED or TENANT_MAX_RUNNING/.test(err.message),
  );
  assert.equal(
    limitsOf(undefined, "x").maxRunningRuns,
    Number.POSITIVE_INFINITY,
    "no limits: every run starts",
  );
  assert.equal(admissionOf("x", { running: 1000, queued: 0 }, undefined), "start");
});
