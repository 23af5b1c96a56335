import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { IsaraError, type TrainSpec } from "@isara/core";
import { loadKubeConfig } from "@isara/kube-kit";
import { repoRoot } from "@isara/testkit";
import {
  helmBinary,
  helmSkipReason,
  type KubeApiServer,
  kubeSkipReason,
  startKubeApiServer,
} from "@isara/testkit/kube";
import {
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { createKubeTrainer, releaseName } from "./kube-trainer.js";

const skip = kubeSkipReason() || helmSkipReason();
const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

function spec(outputDir: string): TrainSpec {
  return {
    baseModel: "/models/base",
    datasetPath: join(outputDir, "..", "dataset.jsonl"),
    method: "lora",
    learningRate: 2e-4,
    epochs: 1,
    batchSize: 8,
    maxSequenceLength: 256,
    loraRank: 8,
    loraAlpha: 16,
    loraDropout: 0.05,
    seed: 0,
    outputDir,
  };
}

test("release names stay valid Job names, however long the run id", () => {
  assert.equal(releaseName({ runId: "misconceptions-isara", round: 2 }), "train-misconceptions-isara-r2");
  const long = releaseName({ runId: "a".repeat(63), round: 12 });
  assert.ok(long.length <= 52, long);
  assert.match(long, /^train-a+-[0-9a-f]{8}-r12$/);
  assert.notEqual(long, releaseName({ runId: `${"a".repeat(62)}b`, round: 12 }));
});

describe("the Kubernetes trainer on a real kube-apiserver", { skip }, () => {
  let kube: KubeApiServer;
  let kc: KubeConfig;
  let dir: string;
  let trainer: ReturnType<typeof createKubeTrainer>;

  /** Waits for the Job of `run`/`round` to exist and returns it. */
  async function jobOf(runId: string, round: number) {
    const batch = kc.makeApiClient(BatchV1Api);
    for (let i = 0; i < 200; i++) {
      const list = await batch.listNamespacedJob({
        namespace: "default",
        labelSelector: `isara.dev/run=${runId},isara.dev/round=${round}`,
      });
      if (list.items[0] !== undefined) return list.items[0];
      await sleep(100);
    }
    throw new Error(`no Job of ${runId} round ${round}`);
  }

  /** Writes a Job's terminal status as the Job controller would (no controller-manager runs here). */
  async function finish(name: string, outcome: "Complete" | "Failed", reason = "BackoffLimitExceeded") {
    const now = new Date();
    const c = (type: string, why: string) => ({
      type,
      status: "True",
      lastProbeTime: now,
      lastTransitionTime: now,
      reason: why,
      message: why,
    });
    const status =
      outcome === "Complete"
        ? {
            startTime: now,
            completionTime: now,
            succeeded: 1,
            conditions: [c("SuccessCriteriaMet", "CompletionsReached"), c("Complete", "CompletionsReached")],
          }
        : { startTime: now, failed: 1, conditions: [c("FailureTarget", reason), c("Failed", reason)] };
    await kc
      .makeApiClient(BatchV1Api)
      .patchNamespacedJobStatus({ name, namespace: "default", body: { status } }, mergePatch);
  }

  /** A pod of the Job whose trainer container ended with `exitCode` (what the kubelet would report). */
  async function failedPod(job: string, exitCode: number, reason: string, message: string) {
    const core = kc.makeApiClient(CoreV1Api);
    const name = `${job}-pod`;
    await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name, labels: { "batch.kubernetes.io/job-name": job } },
        spec: { containers: [{ name: "trainer", image: "isara/trainer" }], restartPolicy: "Never" },
      },
    });
    await core.patchNamespacedPodStatus(
      {
        name,
        namespace: "default",
        body: {
          status: {
            phase: "Failed",
            containerStatuses: [
              {
                name: "trainer",
                image: "isara/trainer",
                imageID: "",
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode, reason, message } },
              },
            ],
          },
        },
      },
      mergePatch,
    );
  }

  before(async () => {
    kube = await startKubeApiServer();
    kc = loadKubeConfig(kube.kubeconfigPath);
    dir = mkdtempSync(join(tmpdir(), "isara-kube-trainer-"));
    const values = join(dir, "values.json");
    writeFileSync(
      values,
      JSON.stringify({ artifacts: { claimName: "isara-artifacts", mountPath: dir }, gpu: { count: 2 } }),
    );
    trainer = createKubeTrainer({
      kc,
      namespace: "default",
      chartDir: join(repoRoot(), "charts/isara-trainer"),
      valuesFile: values,
      helm: helmBinary(),
      pollMs: 100,
    });
  });
  after(async () => {
    await kube?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test("one release per training: a GPU Job with the spec mounted; a redelivery attaches to it; the result is read from the volume", async () => {
    const out = join(dir, "run-a", "train");
    const first = trainer.train(spec(out), undefined, undefined, { runId: "run-a", round: 1 });
    const job = await jobOf("run-a", 1);
    const again = trainer.train(spec(out), undefined, undefined, { runId: "run-a", round: 1 });
    const pod = job.spec?.template.spec;
    assert.equal(job.metadata?.name, "train-run-a-r1");
    assert.equal(pod?.containers[0]?.resources?.limits?.["nvidia.com/gpu"], "2");
    const specMap = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: "train-run-a-r1-spec", namespace: "default" });
    assert.equal(JSON.parse(specMap.data?.["spec.json"] ?? "{}").outputDir, out);
    // What the trainer pod writes on the shared volume, last, before it exits 0 (and before its Job
    // is Complete): the result ends the training, whichever delivery sees it first.
    writeFileSync(
      join(out, "result.json"),
      JSON.stringify({ adapterDir: join(out, "adapter"), steps: 3, finalLoss: 1.5, losses: [2, 1.5] }),
    );
    const [a, b] = await Promise.all([first, again]);
    assert.deepEqual(a, { adapterDir: join(out, "adapter"), steps: 3, finalLoss: 1.5, losses: [2, 1.5] });
    assert.deepEqual(b, a);
    const left = await kc
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace: "default", labelSelector: "isara.dev/run=run-a" });
    assert.equal(left.items.length, 0, "the finished release is removed");
  });

  test("with a queue name of {tenant}, a tenant's training goes to its tenant's Kueue queue", async () => {
    const values = join(dir, "values-kueue.json");
    writeFileSync(
      values,
      JSON.stringify({
        artifacts: { claimName: "isara-artifacts", mountPath: dir },
        kueue: { queueName: "isara-{tenant}" },
      }),
    );
    const queued = createKubeTrainer({
      kc,
      namespace: "default",
      chartDir: join(repoRoot(), "charts/isara-trainer"),
      valuesFile: values,
      helm: helmBinary(),
      pollMs: 100,
    });
    const out = join(dir, "acme--run-q", "train");
    const training = queued.train(spec(out), undefined, undefined, { runId: "acme--run-q", round: 1 });
    const job = await jobOf("acme--run-q", 1);
    assert.equal(job.metadata?.labels?.["kueue.x-k8s.io/queue-name"], "isara-acme");
    assert.equal(job.spec?.suspend, true, "created suspended, for Kueue to admit");
    writeFileSync(
      join(out, "result.json"),
      JSON.stringify({ adapterDir: join(out, "adapter"), steps: 1, finalLoss: 1, losses: [1] }),
    );
    assert.equal((await training).steps, 1);
  });

  test("a redelivery after the training finished reads its result and starts no Job", async () => {
    const out = join(dir, "run-f", "train");
    mkdirSync(out, { recursive: true });
    const result = { adapterDir: join(out, "adapter"), steps: 2, finalLoss: 1.25, losses: [1.5, 1.25] };
    writeFileSync(join(out, "result.json"), JSON.stringify(result));
    const again = await trainer.train(spec(out), undefined, undefined, { runId: "run-f", round: 1 });
    assert.deepEqual(again, result);
    const jobs = await kc
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace: "default", labelSelector: "isara.dev/run=run-f" });
    assert.equal(jobs.items.length, 0, "no second Job for finished work");
  });

  test("a Job that completed without writing a result is an internal error", async () => {
    const training = trainer.train(spec(join(dir, "run-g", "train")), undefined, undefined, {
      runId: "run-g",
      round: 1,
    });
    await jobOf("run-g", 1);
    await finish("train-run-g-r1", "Complete");
    await assert.rejects(
      training,
      (err) => err instanceof IsaraError && err.code === "internal" && /wrote no result/.test(err.message),
    );
  });

  test("a Job that failed on bad input is reported with its pod's exit code and message, and removed", async () => {
    const training = trainer.train(spec(join(dir, "run-b", "train")), undefined, undefined, {
      runId: "run-b",
      round: 1,
    });
    await jobOf("run-b", 1);
    await failedPod("train-run-b-r1", 2, "Error", "dataset.jsonl line 3: empty response");
    await finish("train-run-b-r1", "Failed", "PodFailurePolicy");
    await assert.rejects(training, (err) => {
      assert.ok(err instanceof IsaraError);
      assert.equal(err.code, "invalid_argument");
      assert.match(err.message, /train-run-b-r1 failed: PodFailurePolicy/);
      assert.match(err.message, /Error \(exit 2\): dataset.jsonl line 3: empty response/);
      return true;
    });
    const left = await kc
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace: "default", labelSelector: "isara.dev/run=run-b" });
    assert.equal(left.items.length, 0, "a failed Job goes, so a retried run starts a fresh one");
  });

  test("a pod killed for memory is retryable, and its Job is removed so the retry starts afresh", async () => {
    const training = trainer.train(spec(join(dir, "run-c", "train")), undefined, undefined, {
      runId: "run-c",
      round: 1,
    });
    await jobOf("run-c", 1);
    await failedPod("train-run-c-r1", 137, "OOMKilled", "");
    await finish("train-run-c-r1", "Failed");
    await assert.rejects(
      training,
      (err) => err instanceof IsaraError && err.code === "unavailable" && /OOMKilled/.test(err.message),
    );
    const left = await kc
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace: "default", labelSelector: "isara.dev/run=run-c" });
    assert.equal(left.items.length, 0);
  });

  test("a Job deleted under it (the run was cancelled) ends the training as cancelled", async () => {
    const training = trainer.train(spec(join(dir, "run-d", "train")), undefined, undefined, {
      runId: "run-d",
      round: 1,
    });
    await jobOf("run-d", 1);
    // As the controller's cleanup deletes it. (The API's default for Jobs, orphan, waits for the garbage
    // collector, which does not run here: the Job then only gets a deletionTimestamp, also a cancellation.)
    await kc
      .makeApiClient(BatchV1Api)
      .deleteNamespacedJob({ name: "train-run-d-r1", namespace: "default", propagationPolicy: "Background" });
    await assert.rejects(
      training,
      (err) => err instanceof IsaraError && err.code === "cancelled" && /deleted/.test(err.message),
    );
  });

  test("shutdown stops watching but leaves the Job running for the next attach", async () => {
    const stop = new AbortController();
    const training = trainer.train(spec(join(dir, "run-e", "train")), undefined, stop.signal, {
      runId: "run-e",
      round: 1,
    });
    await jobOf("run-e", 1);
    stop.abort();
    await assert.rejects(training, (err) => err instanceof IsaraError && err.code === "cancelled");
    assert.equal((await jobOf("run-e", 1)).metadata?.name, "train-run-e-r1");
  });
});
