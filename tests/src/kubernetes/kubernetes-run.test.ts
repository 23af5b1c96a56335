/**
 * Kubernetes mode end to end, against a real kube-apiserver and etcd: the AlignmentRun CRD is
 * installed, the example AlignmentRun applied with kubectl, and the whole distributed stack (real
 * Kafka, every service as a process, the real small model) runs it, with the controller watching
 * AlignmentRuns (leader Lease, status, Events, finalizer) and training-dispatch installing one
 * isara-trainer release per training. No kubelet runs here: a named stand-in (kubelet-stand-in.ts)
 * runs the trainer Job's real training on the CPU and marks the Job complete through the API, and
 * the run goes on to evaluate and succeed. A second run is deleted with kubectl while its trainer Job
 * exists: the finalizer cancels it and removes its Job and ConfigMap; a deleted run's samples leave
 * the vector store (Qdrant, where the stack has one).
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  helmBinary,
  helmSkipReason,
  type KubeApiServer,
  kubeSkipReason,
  startKubeApiServer,
} from "@isara/testkit/kube";
import {
  distributedSkip,
  qdrantPoints,
  startTestStack,
  type TestStack,
} from "../distributed/stack-fixture.js";
import { ROOT, runsDir, TRAINER_PYTHON, writeSmallDomain } from "../embedded/fixtures.js";
import { EXAMPLE_RUN, eventually, installCrd, type Kubectl, kubectlFor, must } from "./kubectl.js";
import { runTrainerJob } from "./kubelet-stand-in.js";

const skip = distributedSkip() || kubeSkipReason() || helmSkipReason();
const RUN = "misconceptions-isara";
const CANCELLED = "misconceptions-cancelled";
const WAIT = 15 * 60_000;

interface Resource {
  metadata: { name: string; finalizers?: string[] };
  status?: {
    phase?: string;
    round?: number;
    accepted?: number;
    rejected?: number;
    latestMetric?: { name: string; value: number; round: number };
    conditions?: { type: string; status: string; reason: string }[];
  };
}

describe("Kubernetes mode: an AlignmentRun applied with kubectl runs through the stack and a trainer Job", {
  skip,
}, () => {
  let kube: KubeApiServer;
  let kubectl: Kubectl;
  let t: TestStack;
  let artifacts: string;

  const get = (name: string): Resource | undefined => {
    const res = kubectl(["get", "alignmentrun", name, "-o", "json"]);
    return res.status === 0 ? (JSON.parse(res.stdout) as Resource) : undefined;
  };
  const jobs = (run: string): string[] =>
    must(kubectl, ["get", "jobs", "-l", `isara.dev/run=${run}`, "-o", "jsonpath={.items[*].metadata.name}"])
      .split(" ")
      .filter(Boolean);
  const runState = async (run: string) =>
    JSON.parse(await readFile(join(artifacts, run, "state.json"), "utf8")) as { status: string };

  before(async () => {
    kube = await startKubeApiServer();
    kubectl = kubectlFor(kube.kubeconfigPath);
    installCrd(kubectl);
    const dir = await runsDir();
    artifacts = join(dir, "artifacts");
    // What the isara chart's trainer values block gives every release: the shared volume at the
    // path training-dispatch sees it, and one GPU.
    const trainerValues = join(dir, "trainer-values.json");
    await writeFile(
      trainerValues,
      JSON.stringify({
        artifacts: { claimName: "isara-artifacts", mountPath: artifacts },
        gpu: { count: 1 },
      }),
    );
    const kubeEnv = { KUBECONFIG: kube.kubeconfigPath, KUBE_NAMESPACE: "default" };
    t = await startTestStack({
      dir,
      extraEnv: {
        controller: { ...kubeEnv, KUBE_WATCH: "true", POD_NAME: "controller-0", KUBE_RESYNC: "5s" },
        "training-dispatch": {
          ...kubeEnv,
          TRAINER_BACKEND: "kubernetes",
          TRAINER_CHART: join(ROOT, "charts/isara-trainer"),
          TRAINER_VALUES_FILE: trainerValues,
          HELM_BIN: helmBinary(),
          TRAINER_POLL: "500ms",
        },
      },
    });
    // The example domain's files, cut to a few seeds and eval items so the test stays short.
    const domain = await writeSmallDomain("misconceptions");
    must(kubectl, ["create", "configmap", "misconceptions-domain", `--from-file=${domain}/`]);
  });
  after(async () => {
    await t?.stop();
    await kube?.stop();
  });

  test("kubectl apply: the controller takes the run (finalizer, Created condition) and moves it through its phases", async () => {
    must(kubectl, ["apply", "-f", EXAMPLE_RUN]);
    const example = must(kubectl, ["get", "alignmentrun", RUN, "-o", "json"]);
    const cancelled = JSON.parse(example);
    cancelled.metadata = { name: CANCELLED };
    must(kubectl, ["create", "-f", "-"], JSON.stringify(cancelled));
    const taken = await eventually(
      "the controller to take both runs",
      () => [get(RUN), get(CANCELLED)],
      (runs) =>
        runs.every((r) => r?.status?.conditions?.some((c) => c.type === "Created" && c.status === "True")),
      WAIT,
    );
    for (const r of taken) assert.deepEqual(r?.metadata.finalizers, ["isara.dev/run-cleanup"]);
    assert.ok(
      await readFile(join(artifacts, RUN, "state.json"), "utf8"),
      "the run's state is on the artifact volume",
    );
  });

  test("training-dispatch installs a trainer release per training: a Job with the GPU request; kubectl delete of a run in training removes it", async () => {
    const handled = new Set<string>();
    while (handled.size < 2) {
      const next = await eventually(
        "a trainer Job",
        () => [RUN, CANCELLED].filter((r) => !handled.has(r)).find((r) => jobs(r).length > 0),
        (run) => run !== undefined,
        WAIT,
      );
      const run = next as string;
      const [jobName] = jobs(run);
      const job = JSON.parse(must(kubectl, ["get", "job", jobName ?? "", "-o", "json"]));
      const container = job.spec.template.spec.containers[0];
      assert.equal(container.resources.limits["nvidia.com/gpu"], "1");
      assert.deepEqual(container.args, ["train", "--spec", "/etc/isara-trainer/spec.json"]);
      assert.equal(job.metadata.labels["isara.dev/round"], "1");
      assert.equal(get(run)?.status?.phase, "Training");
      if (run === CANCELLED) {
        must(kubectl, ["delete", "alignmentrun", CANCELLED, "--wait=true", "--timeout=120s"]);
        assert.equal(get(CANCELLED), undefined, "the resource is gone once the finalizer ran");
        assert.deepEqual(jobs(CANCELLED), [], "its trainer Job is deleted");
        const maps = must(kubectl, ["get", "configmaps", "-l", `isara.dev/run=${CANCELLED}`, "-o", "name"]);
        assert.equal(maps.trim(), "", "its spec ConfigMap is deleted");
        assert.equal((await runState(CANCELLED)).status, "cancelled");
        assert.equal((await qdrantPoints(t.stack, CANCELLED)) ?? 0, 0, "its samples are deleted");
      } else {
        const outcome = runTrainerJob(kubectl, jobName ?? "", TRAINER_PYTHON);
        assert.ok(outcome.succeeded, `the trainer failed: ${outcome.trainerStderr.slice(-2000)}`);
      }
      handled.add(run);
    }
  });

  test("after the Job completes the controller evaluates and the run succeeds; status and Events tell the story", async () => {
    const done = await eventually(
      "the run to succeed",
      () => get(RUN),
      (r) => r?.status?.phase === "Succeeded" || r?.status?.phase === "Failed",
      WAIT,
    );
    assert.equal(done?.status?.phase, "Succeeded", JSON.stringify(done?.status));
    assert.equal(done?.status?.round, 1);
    // The example's spec.isara.promptsPerRound (4) replaced the domain's 6: every slot counted once.
    assert.equal((done?.status?.accepted ?? 0) + (done?.status?.rejected ?? 0), 4);
    assert.equal(done?.status?.latestMetric?.round, 1);
    assert.equal(done?.status?.latestMetric?.name, "rougeL_diff");
    assert.deepEqual(jobs(RUN), [], "the finished release's Job is removed");
    const table = must(kubectl, ["get", "alignmentruns"]);
    assert.match(table, new RegExp(`${RUN}\\s+Succeeded\\s+1\\s+\\d+\\s+-?\\d`));
    const reasons = must(kubectl, [
      "get",
      "events",
      "--field-selector",
      `involvedObject.name=${RUN}`,
      "--sort-by=.lastTimestamp",
      "-o",
      "jsonpath={.items[*].reason}",
    ]).split(" ");
    for (const reason of ["RunCreated", "Generating", "Filtering", "Training", "Evaluating", "Succeeded"]) {
      assert.ok(reasons.includes(reason), `an Event ${reason} in ${reasons.join(", ")}`);
    }
    const described = must(kubectl, ["describe", "alignmentrun", RUN]);
    assert.match(described, /Succeeded/);
    assert.match(described, /RunCreated/);
  });

  test("kubectl delete of the finished run: the finalizer comes off, its samples leave the vector store, and the resource is gone", async () => {
    const stored = await qdrantPoints(t.stack, RUN);
    must(kubectl, ["delete", "alignmentrun", RUN, "--wait=true", "--timeout=120s"]);
    assert.equal(get(RUN), undefined);
    if (stored !== undefined) {
      assert.ok(stored > 0, "the run had samples in Qdrant");
      assert.equal(await qdrantPoints(t.stack, RUN), 0, "its samples were deleted with it");
    }
    assert.equal(
      (await runState(RUN)).status,
      "done",
      "a finished run stays done; its results stay on the volume",
    );
  });

  test("a run whose domain ConfigMap is missing fails with the fix, and starts once the ConfigMap exists", async () => {
    const late = JSON.stringify({
      apiVersion: "isara.dev/v1alpha1",
      kind: "AlignmentRun",
      metadata: { name: "late-domain" },
      spec: { domain: { name: "misconceptions", configMap: { name: "late-domain-files" } } },
    });
    must(kubectl, ["create", "-f", "-"], late);
    const refused = await eventually(
      "the refusal",
      () => get("late-domain"),
      (r) => r?.status?.phase === "Failed",
      WAIT,
    );
    const created = refused?.status?.conditions?.find((c) => c.type === "Created");
    assert.equal(created?.status, "False");
    assert.equal(created?.reason, "DomainNotFound");
    const warning = must(kubectl, [
      "get",
      "events",
      "--field-selector",
      "involvedObject.name=late-domain,type=Warning",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    assert.match(
      warning,
      /ConfigMap default\/late-domain-files .* does not exist; create it with kubectl create configmap late-domain-files/,
    );
    const domain = await writeSmallDomain("misconceptions");
    must(kubectl, ["create", "configmap", "late-domain-files", `--from-file=${domain}/`]);
    await eventually(
      "the run to start at the next resync",
      () => get("late-domain"),
      (r) => r?.status?.conditions?.some((c) => c.type === "Created" && c.status === "True") === true,
      WAIT,
    );
    assert.equal(
      (get("late-domain")?.status as { message?: string } | undefined)?.message,
      undefined,
      "the refusal's message is gone",
    );
    must(kubectl, ["delete", "alignmentrun", "late-domain", "--wait=true", "--timeout=120s"]);
    assert.equal((await runState("late-domain")).status, "cancelled");
  });
});
