import assert from "node:assert/strict";
import { test } from "node:test";
import { isTenantName, tenantOfRunId } from "./tenant-name.js";

test("a tenant name is lowercase groups joined by single dashes, at most 24 characters", () => {
  for (const good of ["acme", "acme-labs-2", "a".repeat(24)]) assert.ok(isTenantName(good), good);
  for (const bad of ["", "Acme", "acme--labs", "-acme", "acme-", "a".repeat(25), "acme labs"])
    assert.ok(!isTenantName(bad), bad);
});

test("the first -- of a scoped run id splits off its tenant; an id without a tenant has none", () => {
  assert.equal(tenantOfRunId("acme--first"), "acme");
  assert.equal(tenantOfRunId("acme-labs--a--b"), "acme-labs");
  assert.equal(tenantOfRunId("plain-run"), undefined);
  assert.equal(tenantOfRunId("--x"), undefined);
});
