import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRootLogger } from "@isara/kit";
import { type KubeApiServer, kubeSkipReason, startKubeApiServer } from "@isara/testkit/kube";
import { CoordinationV1Api, CoreV1Api } from "@kubernetes/client-node";
import { createEventRecorder } from "./event-recorder.js";
import { loadKubeConfig } from "./kube-client.js";
import { createLeaderElection } from "./leader-lease.js";

const skip = kubeSkipReason();
const logger = createRootLogger({ level: "silent", name: "test" });
const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 200 };

describe("against a real kube-apiserver", { skip }, () => {
  let kube: KubeApiServer;
  before(async () => {
    kube = await startKubeApiServer();
  });
  after(async () => {
    await kube?.stop();
  });

  test("two replicas: one leads, the other waits, and takes over once the first releases", async () => {
    const kc = loadKubeConfig(kube.kubeconfigPath);
    const one = createLeaderElection(kc, {
      namespace: "default",
      name: "ctl",
      identity: "pod-1",
      logger,
      ...timing,
    });
    const two = createLeaderElection(kc, {
      namespace: "default",
      name: "ctl",
      identity: "pod-2",
      logger,
      ...timing,
    });
    await one.acquire();
    let secondLeads = false;
    const waiting = two.acquire().then(() => {
      secondLeads = true;
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(one.isLeader(), true);
    assert.equal(secondLeads, false, "the second replica must wait while the first renews");
    await one.release();
    await waiting;
    assert.equal(two.isLeader(), true);
    const lease = await kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: "ctl", namespace: "default" });
    assert.equal(lease.spec?.holderIdentity, "pod-2");
    assert.equal(lease.spec?.leaseTransitions, 1);
    await two.release();
  });

  test("a leader whose Lease is taken over (it stopped renewing) is told it lost", async () => {
    const kc = loadKubeConfig(kube.kubeconfigPath);
    const api = kc.makeApiClient(CoordinationV1Api);
    const one = createLeaderElection(kc, {
      namespace: "default",
      name: "stolen",
      identity: "pod-1",
      logger,
      ...timing,
    });
    await one.acquire();
    const lease = await api.readNamespacedLease({ name: "stolen", namespace: "default" });
    await api.replaceNamespacedLease({
      name: "stolen",
      namespace: "default",
      body: { ...lease, spec: { ...lease.spec, holderIdentity: "intruder" } },
    });
    const why = await one.lost;
    assert.match(why, /another replica holds the Lease/);
    assert.equal(one.isLeader(), false);
  });

  test("Events are written about their object, as kubectl describe finds them", async () => {
    const kc = loadKubeConfig(kube.kubeconfigPath);
    const recorder = createEventRecorder(kc, { component: "isara-controller", instance: "pod-1", logger });
    const subject = { apiVersion: "v1", kind: "ConfigMap", name: "cm", namespace: "default", uid: "uid-1" };
    await recorder.record(subject, "Normal", "Generating", "round 1 of 2: generating");
    await recorder.record(subject, "Warning", "Failed", "the trainer Job failed");
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({
      namespace: "default",
      fieldSelector: "involvedObject.uid=uid-1",
    });
    assert.deepEqual(events.items.map((e) => [e.type, e.reason, e.message, e.source?.component]).sort(), [
      ["Normal", "Generating", "round 1 of 2: generating", "isara-controller"],
      ["Warning", "Failed", "the trainer Job failed", "isara-controller"],
    ]);
  });

  test("a failed Event write is logged, never thrown", async () => {
    const kc = loadKubeConfig(kube.kubeconfigPath);
    const recorder = createEventRecorder(kc, { component: "c", instance: "i", logger });
    await recorder.record(
      { apiVersion: "v1", kind: "X", name: "x", namespace: "no-such-namespace", uid: "u" },
      "Normal",
      "R",
      "m",
    );
  });
});
