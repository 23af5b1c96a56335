import assert from "node:assert/strict";
import { test } from "node:test";
import { loadControllerConfig } from "./config.js";

const MINIMAL = {
  KAFKA_BROKERS: "kafka:9092",
  ARTIFACT_ROOT: "/artifacts",
  RETRIEVAL_ADDRESS: "retrieval:50051",
  BASE_MODEL: "SmolLM2-135M-Instruct",
};

test("without KUBE_WATCH the controller takes runs through gRPC only", () => {
  assert.equal(loadControllerConfig(MINIMAL).kube, undefined);
});

test("Kubernetes mode: namespace, the leader Lease and this replica's identity, resync", () => {
  const config = loadControllerConfig({
    ...MINIMAL,
    KUBE_WATCH: "true",
    KUBE_NAMESPACE: "team-a",
    POD_NAME: "isara-controller-7d9-x2k",
    LEADER_ELECTION_LEASE: "isara-controller",
    KUBE_RESYNC: "30s",
  });
  assert.deepEqual(config.kube, {
    namespace: "team-a",
    lease: "isara-controller",
    identity: "isara-controller-7d9-x2k",
    resyncMs: 30_000,
  });
  const noElection = loadControllerConfig({ ...MINIMAL, KUBE_WATCH: "true", LEADER_ELECTION: "false" });
  assert.equal(noElection.kube?.lease, undefined);
  assert.throws(
    () => loadControllerConfig({ ...MINIMAL, KUBE_WATCH: "true", LEADER_ELECTION_LEASE: "Not_A_Name" }),
    /LEADER_ELECTION_LEASE/,
  );
});

test("FILTER_JUDGE says whether the filtering service has a judge; off unless set", () => {
  assert.equal(loadControllerConfig(MINIMAL).filterJudge, false);
  assert.equal(loadControllerConfig({ ...MINIMAL, FILTER_JUDGE: "true" }).filterJudge, true);
  assert.equal(loadControllerConfig({ ...MINIMAL, FILTER_JUDGE: "false" }).filterJudge, false);
  assert.throws(() => loadControllerConfig({ ...MINIMAL, FILTER_JUDGE: "maybe" }), /FILTER_JUDGE/);
});

test("tenant limits: defaults 4 running and 100 waiting; TENANT_LIMITS gives tenants their own", () => {
  const defaults = loadControllerConfig(MINIMAL).tenantLimits;
  assert.equal(defaults.maxRunningRuns, 4);
  assert.equal(defaults.maxQueuedRuns, 100);
  assert.equal(defaults.tenants.size, 0);
  const set = loadControllerConfig({
    ...MINIMAL,
    TENANT_MAX_RUNNING: "2",
    TENANT_MAX_QUEUED: "0",
    TENANT_LIMITS: "acme=8/200, beta-labs = 1/0",
  }).tenantLimits;
  assert.equal(set.maxRunningRuns, 2);
  assert.equal(set.maxQueuedRuns, 0);
  assert.deepEqual(
    [...set.tenants],
    [
      ["acme", { maxRunningRuns: 8, maxQueuedRuns: 200 }],
      ["beta-labs", { maxRunningRuns: 1, maxQueuedRuns: 0 }],
    ],
  );
  assert.throws(
    () =>
      loadControllerConfig({
        ...MINIMAL,
        TENANT_MAX_RUNNING: "0",
        TENANT_LIMITS: "acme=8,Bad=1/2,beta=0/5,gamma=1/1,gamma=2/2",
      }),
    (err) => {
      const message = (err as Error).message;
      assert.match(message, /TENANT_MAX_RUNNING: is "0" \(expected an integer from 1/);
      assert.match(
        message,
        /TENANT_LIMITS: "acme=8" is not <tenant>=<running>\/<queued> \(e\.g\. "acme=8\/200"\)/,
      );
      assert.match(message, /TENANT_LIMITS: "Bad=1\/2": "Bad" is not a tenant name/);
      assert.match(message, /TENANT_LIMITS: "beta=0\/5": running runs must be at least 1/);
      assert.match(message, /TENANT_LIMITS: "gamma=2\/2": tenant "gamma" is given twice/);
      return true;
    },
  );
});
