/**
 * What charts/isara-trainer renders for one training, as training-dispatch and a cluster operator see
 * it: a Job running the trainer on the TrainSpec mounted from a ConfigMap, labelled with its run and
 * round, with its GPUs, placement, Kueue queue and limits, on GPU and CPU clusters.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import { parse } from "yaml";
import {
  chartToolsSkip,
  container,
  installChartTools,
  type Manifest,
  ofKind,
  podSpec,
  render,
  scenarioFile,
} from "./chart-fixture.js";

const skip = chartToolsSkip();

/** The Job and the spec ConfigMap of one scenario. */
async function training(
  bin: string,
  scenario: string,
): Promise<{ job: Manifest; spec: Manifest; values: Values }> {
  const file = scenarioFile("isara-trainer", scenario);
  const { objects } = await render(bin, "isara-trainer", "train-harmless-7f3a-r1", [file]);
  const [job] = ofKind(objects, "Job");
  const [spec] = ofKind(objects, "ConfigMap");
  assert.ok(job && spec, "one Job and one ConfigMap");
  assert.equal(objects.length, 2, "nothing else: training-dispatch may create only Jobs and ConfigMaps");
  return { job, spec, values: parse(readFileSync(file, "utf8")) as Values };
}

interface Values {
  readonly run: { readonly id: string; readonly round: number };
  readonly spec: Record<string, unknown>;
}

describe("charts/isara-trainer", { skip }, () => {
  let bin = "";
  before(async () => {
    bin = await installChartTools();
  });

  test("the Job runs the trainer on the spec mounted from its ConfigMap", async () => {
    const { job, spec, values } = await training(bin, "minimal");
    const pod = podSpec(job);
    const c = container(job);
    assert.deepEqual(c.args, ["train", "--spec", "/etc/isara-trainer/spec.json"]);
    assert.deepEqual(JSON.parse(spec.data?.["spec.json"] ?? ""), values.spec, "spec.json is the spec value");
    const specMount = c.volumeMounts?.find((m) => m.mountPath === "/etc/isara-trainer");
    assert.equal(specMount?.readOnly, true);
    const specVolume = pod.volumes?.find((v) => v.name === specMount?.name);
    assert.equal(specVolume?.configMap?.name, spec.metadata.name);

    for (const labels of [job.metadata.labels, job.spec?.template?.metadata.labels, spec.metadata.labels]) {
      assert.equal(labels?.["isara.dev/run"], values.run.id);
      assert.equal(labels?.["isara.dev/round"], String(values.run.round));
    }
    assert.equal(pod.restartPolicy, "Never");
    assert.equal(job.spec?.backoffLimit, 1);
    assert.equal(job.spec?.activeDeadlineSeconds, 43200);
    assert.equal(job.spec?.ttlSecondsAfterFinished, 86400);
    const failFast = job.spec?.podFailurePolicy?.rules.find((r) => r.action === "FailJob");
    assert.deepEqual(failFast?.onExitCodes?.values, [2], "a bad spec (exit 2) is not retried");
    assert.equal(pod.automountServiceAccountToken, false);

    const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.get("ISARA_TRAINER_DEVICE"), "cuda");
    const writable = (path: string | undefined) => {
      const mount = c.volumeMounts?.find((m) => m.mountPath === path);
      return pod.volumes?.find((v) => v.name === mount?.name)?.emptyDir !== undefined;
    };
    assert.ok(writable("/tmp"), "/tmp is a writable emptyDir");
    assert.ok(writable(env.get("HOME")), "HOME is a writable emptyDir");
    const artifacts = pod.volumes?.find((v) => v.name === "artifacts");
    assert.equal(artifacts?.persistentVolumeClaim?.claimName, "isara-artifacts");
    assert.equal(c.resources?.limits?.["nvidia.com/gpu"], 1, "one GPU by default");
    assert.ok(pod.tolerations?.some((t) => t.key === "nvidia.com/gpu" && t.effect === "NoSchedule"));
    assert.equal(job.metadata.labels?.["kueue.x-k8s.io/queue-name"], undefined, "no Kueue unless asked");
    assert.equal(job.spec?.suspend, undefined);
  });

  test("GPUs, placement, priority and a Kueue queue reach the Job", async () => {
    const { job } = await training(bin, "gpu-kueue");
    const pod = podSpec(job);
    assert.equal(container(job).resources?.limits?.["nvidia.com/gpu"], 2);
    assert.deepEqual(pod.nodeSelector, { "nvidia.com/gpu.present": "true" });
    assert.deepEqual(pod.tolerations?.map((t) => t.key).sort(), ["dedicated", "nvidia.com/gpu"]);
    assert.equal(pod.priorityClassName, "training");
    assert.equal(pod.serviceAccountName, "isara-trainer");
    assert.equal(job.metadata.labels?.["kueue.x-k8s.io/queue-name"], "isara-training");
    assert.equal(job.spec?.suspend, true, "created suspended, for Kueue to admit");
    const model = pod.volumes?.find((v) => v.name === "model")?.persistentVolumeClaim;
    assert.deepEqual(model, { claimName: "base-models", readOnly: true });
    assert.equal(container(job).volumeMounts?.find((m) => m.name === "model")?.readOnly, true);
  });

  test("a queue name with {tenant} sends each tenant's trainings to its own queue", async () => {
    const file = scenarioFile("isara-trainer", "minimal");
    const queueOf = async (tenant: string) => {
      const { objects } = await render(
        bin,
        "isara-trainer",
        "train-r1",
        [file],
        ["--set", "kueue.queueName=isara-{tenant}", "--set-string", `run.tenant=${tenant}`],
      );
      return ofKind(objects, "Job")[0]?.metadata.labels?.["kueue.x-k8s.io/queue-name"];
    };
    assert.equal(await queueOf("acme"), "isara-acme");
    assert.equal(await queueOf(""), "isara-default", "a run without a tenant goes to the default queue");
  });

  test("a CPU cluster gets no GPU request and torch on the CPU", async () => {
    const { job } = await training(bin, "cpu-only");
    const c = container(job);
    const gpuKeys = Object.keys({ ...c.resources?.limits, ...c.resources?.requests }).filter((k) =>
      k.includes("gpu"),
    );
    assert.deepEqual(gpuKeys, []);
    const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.get("ISARA_TRAINER_DEVICE"), "cpu");
    assert.equal(env.get("ISARA_TRAINER_THREADS"), "8");
    assert.equal(podSpec(job).tolerations, undefined);
  });
});
