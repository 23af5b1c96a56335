import assert from "node:assert/strict";
import { test } from "node:test";
import { RunMode, type RunSpec } from "@isara/contracts";
import { domainConfigSchema, isIsaraError, parseDomain } from "@isara/core";
import { tinyConfig, tinyEval, tinySeeds } from "../testing/test-fixtures.js";
import { applyOverrides, checkSpec, generatedRunId, specFingerprint } from "./run-spec.js";

const spec: RunSpec = {
  runId: "alpha-1",
  domain: { name: "alpha", source: "" },
  mode: RunMode.ISARA,
  overrides: { rounds: 2, baseModel: "tiny" },
};

test("a valid spec is checked into one canonical form", () => {
  assert.deepEqual(checkSpec(spec), {
    runId: "alpha-1",
    domain: "alpha",
    source: "",
    mode: "isara",
    overrides: { rounds: 2, baseModel: "tiny" },
    tenant: "",
  });
  assert.equal(checkSpec({ ...spec, runId: "" }).runId, undefined, "an empty id asks the controller for one");
});

test("the tenant: a tenant name, and the run id's <tenant>-- prefix must name it", () => {
  assert.equal(checkSpec({ ...spec, runId: "acme--first", tenant: "acme" }).tenant, "acme");
  assert.equal(checkSpec({ ...spec, runId: "plain", tenant: "acme" }).tenant, "acme");
  assert.throws(
    () => checkSpec({ ...spec, tenant: "Acme Corp" }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /spec.tenant "Acme Corp": use 1-24 lowercase/.test(err.message),
  );
  assert.throws(
    () => checkSpec({ ...spec, runId: "globex--first", tenant: "acme" }),
    /is scoped to tenant "globex", but spec.tenant is "acme"/,
  );
  assert.equal(generatedRunId("alpha", "0123456789"), "alpha-01234567");
  const long = generatedRunId("d".repeat(60), "0123456789", "t".repeat(24));
  assert.equal(long.length, 63);
  assert.match(long, /^t{24}--d+-01234567$/);
});

test("every problem of a spec is listed at once", () => {
  assert.throws(
    () =>
      checkSpec({
        runId: "Bad_Id",
        domain: { name: "", source: "" },
        mode: RunMode.UNSPECIFIED,
        overrides: { baseModel: " " },
      }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      Array.isArray(err.details) &&
      err.details.length === 4 &&
      /spec.run_id "Bad_Id"/.test(err.message) &&
      /spec.domain.name/.test(err.message) &&
      /spec.mode/.test(err.message) &&
      /spec.overrides.base_model/.test(err.message),
  );
  assert.throws(
    () => checkSpec(undefined),
    (err) => isIsaraError(err, "invalid_argument"),
  );
});

test("the same spec has the same fingerprint; another mode or override does not", () => {
  const a = checkSpec(spec);
  assert.equal(specFingerprint(a), specFingerprint(checkSpec({ ...spec, runId: "other" })));
  assert.notEqual(specFingerprint(a), specFingerprint(checkSpec({ ...spec, mode: RunMode.BASE })));
  assert.notEqual(specFingerprint(a), specFingerprint(checkSpec({ ...spec, overrides: { rounds: 3 } })));
});

test("overrides replace the config and are held to its ranges, named as the spec names them", () => {
  const domain = parseDomain({
    config: tinyConfig("alpha"),
    seeds: tinySeeds("alpha"),
    eval: tinyEval("alpha"),
  });
  const changed = applyOverrides(domain, { rounds: 3, promptsPerRound: 6, seed: 5 });
  assert.deepEqual(
    changed.config,
    domainConfigSchema.parse(tinyConfig("alpha", { rounds: 3, promptsPerRound: 6, seed: 5 })),
  );
  assert.equal(applyOverrides(domain, {}), domain);
  assert.throws(
    () => applyOverrides(domain, { rounds: 0, demos: 100 }),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /spec.overrides.rounds/.test(err.message) &&
      /spec.overrides.demos/.test(err.message),
  );
});

test("a generated run id is the domain slug and 8 hex characters, a valid run id", () => {
  const id = generatedRunId("a".repeat(63), "0123456789abcdef");
  assert.equal(id, `${"a".repeat(54)}-01234567`);
  assert.equal(id.length, 63);
  assert.equal(checkSpec({ ...spec, runId: id }).runId, id);
});
