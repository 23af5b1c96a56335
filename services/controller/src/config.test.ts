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
