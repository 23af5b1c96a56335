import assert from "node:assert/strict";
import { test } from "node:test";
import { isTenantName } from "@isara/core";
import { domainFolder, localRunId, newRunId, scopedRunId } from "./tenant-scope.js";

test("the same run id in two tenants names two different controller runs, each readable only by its tenant", () => {
  const a = scopedRunId("acme", "r1");
  const b = scopedRunId("acme-labs", "r1");
  assert.equal(a, "acme--r1");
  assert.equal(b, "acme-labs--r1");
  assert.equal(localRunId("acme", a), "r1");
  assert.equal(localRunId("acme", b), undefined, "acme cannot read acme-labs' runs by prefix");
  assert.equal(localRunId("acme-labs", a), undefined);
});

test("run ids that contain '--' stay inside their tenant", () => {
  const scoped = scopedRunId("acme", "globex--r1");
  assert.equal(scoped, "acme--globex--r1");
  assert.equal(localRunId("acme", scoped), "globex--r1");
  assert.equal(localRunId("globex", scoped), undefined);
});

test("tenant names never contain '--', so a scoped id splits one way only", () => {
  assert.ok(isTenantName("acme"));
  assert.ok(isTenantName("acme-labs-2"));
  for (const bad of ["acme--x", "-acme", "acme-", "Acme", "", "a".repeat(25)])
    assert.ok(!isTenantName(bad), bad);
  assert.throws(() => scopedRunId("acme--x", "r1"), /tenant name "acme--x" is malformed/);
});

test("malformed or too long run ids are refused; generated ids are valid and fit the controller's 63", () => {
  assert.throws(() => scopedRunId("acme", "Run_1"), /run id "Run_1" is malformed; use 1-37 lowercase/);
  assert.throws(() => scopedRunId("acme", "r".repeat(38)), /malformed/);
  const id = newRunId();
  assert.match(id, /^run-[0-9a-f]{12}$/);
  assert.ok(scopedRunId("a".repeat(24), "r".repeat(37)).length <= 63);
  assert.equal(localRunId("acme", "acme--"), undefined);
  assert.equal(domainFolder("acme", "habits"), "tenants/acme/domains/habits");
});
