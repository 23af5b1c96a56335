/**
 * What charts/isara deploys, as an operator would check it with kubectl: each service's settings, the
 * controller and training-dispatch in Kubernetes mode, the trainer values that make training-dispatch's
 * Jobs fit the release, autoscaling (KEDA or HPA), disruption budgets, volumes and the development
 * instances (NetworkPolicies and RBAC: isara-chart-access.test.ts). Rendered with the pinned helm from
 * infra/kube/helm-tools.sh.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { loadControllerConfig } from "@isara/controller";
import {
  chartToolsSkip,
  container,
  installChartTools,
  named,
  ofKind,
  podSpec,
  render,
  scenarioFile,
} from "./chart-fixture.js";
import {
  componentOf,
  deployedComponents,
  deploymentOf,
  envOf,
  envValue,
  plainEnv,
} from "./workload-checks.js";

const skip = chartToolsSkip();
const ARTIFACT_USERS = [
  "controller",
  "evaluation",
  "filtering",
  "gateway",
  "generation",
  "training-dispatch",
];
const KAFKA_USERS = ["controller", "evaluation", "filtering", "generation", "training-dispatch"];

describe("charts/isara", { skip }, () => {
  let bin = "";
  const renderScenario = async (scenario: string, extra: string[] = []) =>
    (await render(bin, "isara", "isara", [scenarioFile("isara", scenario)], extra)).objects;
  before(async () => {
    bin = await installChartTools();
  });

  test("the controller runs in Kubernetes mode: watch, namespace, leader election, two replicas", async () => {
    const objects = await renderScenario("minimal");
    const d = deploymentOf(objects, "controller");
    const env = envOf(objects, container(d));
    assert.equal(envValue(env, "KUBE_WATCH"), "true");
    assert.equal(env.get("KUBE_NAMESPACE")?.valueFrom?.fieldRef?.fieldPath, "metadata.namespace");
    assert.equal(env.get("POD_NAME")?.valueFrom?.fieldRef?.fieldPath, "metadata.name");
    assert.equal(envValue(env, "LEADER_ELECTION_LEASE"), "isara-controller");
    assert.equal(envValue(env, "RETRIEVAL_ADDRESS"), "isara-retrieval:50051");
    assert.equal(envValue(env, "BASE_MODEL"), "SmolLM2-135M-Instruct");
    // Work windows and the stall timeout, in the controller's own units.
    const config = loadControllerConfig({
      ...plainEnv(env),
      POD_NAME: "isara-controller-0",
    });
    assert.equal(config.workWindow, 32);
    assert.equal(config.stallTimeoutMs, 600_000);
    assert.equal(config.tenantLimits.maxRunningRuns, 4);
    assert.equal(config.tenantLimits.maxQueuedRuns, 100);
    assert.equal(config.tenantLimits.tenants.size, 0);
    assert.equal(env.get("TENANT_LIMITS"), undefined, "no tenant has its own limits by default");
    assert.equal(d.spec?.replicas, 2);
    assert.equal(podSpec(d).automountServiceAccountToken, true, "it calls the API server");
    assert.equal(podSpec(deploymentOf(objects, "gateway")).automountServiceAccountToken, false);
    const gateway = envOf(objects, container(deploymentOf(objects, "gateway")));
    assert.equal(envValue(gateway, "CONTROLLER_ADDRESS"), "isara-controller:50051");
    assert.equal(envValue(gateway, "GATEWAY_TOKENS_FILE"), "/etc/isara/gateway-tokens/tokens.json");
  });

  test("controller.tenants sets the admission limits; a tenant's own limits take a default for a key left out", async () => {
    const objects = await renderScenario("minimal", [
      "--set",
      "controller.tenants.maxRunningRuns=2",
      "--set",
      "controller.tenants.limits.acme.maxRunningRuns=8",
      "--set",
      "controller.tenants.limits.acme.maxQueuedRuns=200",
      "--set",
      "controller.tenants.limits.beta.maxQueuedRuns=0",
    ]);
    const env = envOf(objects, container(deploymentOf(objects, "controller")));
    assert.equal(envValue(env, "TENANT_LIMITS"), "acme=8/200,beta=2/0");
    const config = loadControllerConfig({
      ...plainEnv(env),
      POD_NAME: "isara-controller-0",
    });
    assert.equal(config.tenantLimits.maxRunningRuns, 2);
    assert.equal(config.tenantLimits.maxQueuedRuns, 100);
    assert.deepEqual(Object.fromEntries(config.tenantLimits.tenants), {
      acme: { maxRunningRuns: 8, maxQueuedRuns: 200 },
      beta: { maxRunningRuns: 2, maxQueuedRuns: 0 },
    });
  });

  test("generation and evaluation use the OpenAI-compatible server; API keys come from Secrets", async () => {
    const objects = await renderScenario("production");
    for (const component of ["generation", "evaluation"]) {
      const env = envOf(objects, container(deploymentOf(objects, component)));
      assert.equal(envValue(env, "LLM_BACKEND"), "openai");
      assert.equal(envValue(env, "LLM_BASE_URL"), "http://vllm.llm:8000");
      assert.equal(envValue(env, "LLM_MODEL"), "smollm2");
      assert.equal(envValue(env, "LLM_MODEL_ID"), "SmolLM2-135M-Instruct");
      assert.deepEqual(env.get("LLM_API_KEY")?.valueFrom?.secretKeyRef, {
        name: "vllm-api-key",
        key: "api-key",
      });
    }
    const evaluation = envOf(objects, container(deploymentOf(objects, "evaluation")));
    assert.equal(envValue(evaluation, "JUDGE_URL"), "http://vllm-judge.llm:8000");
    assert.equal(envValue(evaluation, "JUDGE_RUBRICS"), "quality,harm");
    const retrieval = envOf(objects, container(deploymentOf(objects, "retrieval")));
    assert.equal(envValue(retrieval, "VECTOR_BACKEND"), "qdrant");
    assert.equal(envValue(retrieval, "QDRANT_URL"), "http://qdrant.qdrant:6333");
    assert.equal(retrieval.get("QDRANT_API_KEY")?.valueFrom?.secretKeyRef?.name, "qdrant-api-key");
  });

  test("one judge block gives filtering and evaluation the same judge, and tells the controller", async () => {
    const judged = await renderScenario("production");
    const controller = envOf(judged, container(deploymentOf(judged, "controller")));
    assert.equal(
      envValue(controller, "FILTER_JUDGE"),
      "true",
      "filtering has a judge: judge-score runs are let in",
    );
    for (const component of ["filtering", "evaluation"]) {
      const env = envOf(judged, container(deploymentOf(judged, component)));
      assert.equal(envValue(env, "JUDGE_URL"), "http://vllm-judge.llm:8000", component);
      assert.equal(envValue(env, "JUDGE_MODEL"), "judge", component);
      assert.equal(envValue(env, "JUDGE_PARALLEL"), "2", component);
      assert.deepEqual(
        env.get("JUDGE_API_KEY")?.valueFrom?.secretKeyRef,
        { name: "vllm-judge-api-key", key: "api-key" },
        component,
      );
    }
    const filteringOnly = await renderScenario("production", ["--set", "evaluation.judge.enabled=false"]);
    const evaluation = envOf(filteringOnly, container(deploymentOf(filteringOnly, "evaluation")));
    assert.equal(evaluation.has("JUDGE_URL"), false, "evaluation keeps to reference metrics");
    assert.equal(evaluation.has("JUDGE_API_KEY"), false);
    const filtering = envOf(filteringOnly, container(deploymentOf(filteringOnly, "filtering")));
    assert.equal(envValue(filtering, "JUDGE_URL"), "http://vllm-judge.llm:8000");

    const none = await renderScenario("minimal");
    const unjudged = envOf(none, container(deploymentOf(none, "controller")));
    assert.equal(envValue(unjudged, "FILTER_JUDGE"), "false", "no judge: judge-score runs are refused");
    for (const component of ["filtering", "evaluation"]) {
      const env = envOf(none, container(deploymentOf(none, component)));
      assert.equal(env.has("JUDGE_URL") || env.has("JUDGE_API_KEY"), false, component);
    }
  });

  test("training-dispatch's trainer values render an isara-trainer Job that fits the release", async () => {
    const objects = await renderScenario("production");
    const d = deploymentOf(objects, "training-dispatch");
    const env = envOf(objects, container(d));
    assert.equal(envValue(env, "TRAINER_BACKEND"), "kubernetes");
    assert.equal(env.get("KUBE_NAMESPACE")?.valueFrom?.fieldRef?.fieldPath, "metadata.namespace");
    assert.equal(envValue(env, "TRAINER_CHART"), "/app/charts/isara-trainer");
    assert.equal(
      envValue(env, "LORA_SERVING_URLS"),
      "http://vllm-0.vllm.llm:8000,http://vllm-1.vllm.llm:8000",
    );
    assert.equal(envValue(env, "BASE_MODEL_PATH"), "/models/SmolLM2-135M-Instruct");
    const valuesFile = envValue(env, "TRAINER_VALUES_FILE");
    const mount = container(d).volumeMounts?.find((m) => valuesFile.startsWith(`${m.mountPath}/`));
    const volume = podSpec(d).volumes?.find((v) => v.name === mount?.name);
    const configMap = named(objects, "ConfigMap", volume?.configMap?.name ?? "");
    const key = valuesFile.slice((mount?.mountPath.length ?? 0) + 1);
    const trainerValues = configMap.data?.[key];
    assert.ok(trainerValues, `${valuesFile} is key ${key} of ConfigMap ${configMap.metadata.name}`);

    const dir = await mkdtemp(join(tmpdir(), "isara-trainer-values-"));
    await writeFile(join(dir, "trainer-values.yaml"), trainerValues);
    const artifactRoot = envValue(env, "ARTIFACT_ROOT");
    const spec = JSON.stringify({
      baseModel: envValue(env, "BASE_MODEL_PATH"),
      datasetPath: `${artifactRoot}/run-1/round-1/train/dataset.jsonl`,
      outputDir: `${artifactRoot}/run-1/round-1/train/output`,
    });
    const trainer = await render(
      bin,
      "isara-trainer",
      "train-run-1-r1",
      [join(dir, "trainer-values.yaml")],
      ["--set", "run.id=run-1,run.round=1", "--set-json", `spec=${spec}`],
    );
    await rm(dir, { recursive: true, force: true });
    const [job] = ofKind(trainer.objects, "Job");
    assert.ok(job, "the trainer chart renders a Job");
    const pod = podSpec(job);
    const artifacts = pod.volumes?.find((v) => v.name === "artifacts")?.persistentVolumeClaim?.claimName;
    assert.equal(artifacts, "isara-artifacts", "the Job mounts the release's artifact claim");
    assert.equal(container(job).volumeMounts?.find((m) => m.name === "artifacts")?.mountPath, artifactRoot);
    assert.equal(container(job).image, "isara/trainer:0.1.0", "the trainer image has the release's version");
    assert.equal(container(job).resources?.limits?.["nvidia.com/gpu"], 2);
    assert.equal(pod.priorityClassName, "training");
    assert.equal(job.metadata.labels?.["kueue.x-k8s.io/queue-name"], "isara-training");
    const account = named(objects, "ServiceAccount", pod.serviceAccountName ?? "");
    assert.equal(account.automountServiceAccountToken, false, "trainer pods get no API token");
    const policy = named(objects, "NetworkPolicy", "isara-trainer");
    for (const [label, value] of Object.entries(policy.spec?.podSelector?.matchLabels ?? {})) {
      assert.equal(
        job.spec?.template?.metadata.labels?.[label],
        value,
        `trainer pods match the policy's ${label}`,
      );
    }
  });

  test("generation scales on Kafka consumer lag with KEDA, or on CPU with an HPA", async () => {
    const keda = await renderScenario("production");
    const scaled = named(keda, "ScaledObject", "isara-generation");
    assert.equal(scaled.spec?.scaleTargetRef?.name, "isara-generation");
    const brokers = envValue(envOf(keda, container(deploymentOf(keda, "generation"))), "KAFKA_BROKERS");
    const triggers = scaled.spec?.triggers ?? [];
    assert.deepEqual(triggers.map((t) => t.metadata.topic).sort(), [
      "isara.answers.work",
      "isara.prompts.work",
    ]);
    for (const t of triggers) {
      assert.equal(t.type, "kafka");
      assert.equal(t.metadata.consumerGroup, "generation");
      assert.equal(t.metadata.bootstrapServers, brokers);
      assert.match(t.metadata.lagThreshold ?? "", /^\d+$/);
    }
    assert.equal(deploymentOf(keda, "generation").spec?.replicas, undefined, "KEDA owns the replica count");
    assert.ok(!ofKind(keda, "HorizontalPodAutoscaler").some((h) => h.metadata.name === "isara-generation"));

    const hpa = await renderScenario("production", [
      "--set",
      "generation.autoscaling.keda.enabled=false,generation.autoscaling.enabled=true",
    ]);
    assert.equal(ofKind(hpa, "ScaledObject").length, 0);
    assert.equal(
      named(hpa, "HorizontalPodAutoscaler", "isara-generation").spec?.scaleTargetRef?.name,
      "isara-generation",
    );
    const minimal = await renderScenario("minimal");
    assert.equal(
      ofKind(minimal, "ScaledObject").length + ofKind(minimal, "HorizontalPodAutoscaler").length,
      0,
    );
  });

  test("STAGE_CONCURRENCY is the service's own default unless a component's concurrency is set", async () => {
    const defaults = await renderScenario("minimal");
    for (const component of ["filtering", "evaluation", "training-dispatch"]) {
      const env = envOf(defaults, container(deploymentOf(defaults, component)));
      assert.equal(env.get("STAGE_CONCURRENCY"), undefined, component);
    }
    const set = await renderScenario("minimal", [
      "--set",
      "filtering.concurrency=6",
      "--set",
      "trainingDispatch.concurrency=16",
    ]);
    const filtering = envOf(set, container(deploymentOf(set, "filtering")));
    assert.equal(envValue(filtering, "STAGE_CONCURRENCY"), "6");
    const dispatch = envOf(set, container(deploymentOf(set, "training-dispatch")));
    assert.equal(envValue(dispatch, "STAGE_CONCURRENCY"), "16");
  });

  test("kueue.enabled: a ClusterQueue per tenant in one cohort with fair sharing, a LocalQueue each, and trainer Jobs sent to their tenant's", async () => {
    const off = await renderScenario("minimal");
    assert.equal(off.filter((o) => o.apiVersion?.startsWith("kueue.x-k8s.io")).length, 0, "off by default");
    const objects = await renderScenario("minimal", [
      "--set",
      "kueue.enabled=true",
      "--set",
      "kueue.tenants={acme,beta}",
    ]);
    assert.deepEqual(
      ofKind(objects, "ResourceFlavor").map((o) => o.metadata.name),
      ["isara-default"],
    );
    const clusterQueues = ofKind(objects, "ClusterQueue");
    assert.deepEqual(
      clusterQueues.map((q) => q.metadata.name),
      ["isara-acme", "isara-beta", "isara-default"],
    );
    for (const q of clusterQueues) {
      const spec = q.spec as {
        cohort: string;
        fairSharing: { weight: string };
        resourceGroups: { coveredResources: string[]; flavors: { name: string }[] }[];
      };
      assert.equal(spec.cohort, "isara");
      assert.equal(spec.fairSharing.weight, "1");
      assert.deepEqual(spec.resourceGroups[0]?.coveredResources, ["cpu", "memory", "nvidia.com/gpu"]);
      assert.equal(spec.resourceGroups[0]?.flavors[0]?.name, "isara-default");
    }
    const localQueues = ofKind(objects, "LocalQueue");
    assert.deepEqual(
      localQueues.map((q) => [
        q.metadata.name,
        (q.metadata as { namespace?: string }).namespace,
        (q.spec as { clusterQueue: string }).clusterQueue,
      ]),
      [
        ["isara-acme", "isara", "isara-acme"],
        ["isara-beta", "isara", "isara-beta"],
        ["isara-default", "isara", "isara-default"],
      ],
    );
    const trainerValues =
      named(objects, "ConfigMap", "isara-trainer-values").data?.["trainer-values.yaml"] ?? "";
    assert.match(trainerValues, /queueName: "isara-\{tenant\}"/);
  });

  test("disruption budgets guard every component that runs several ready pods", async () => {
    const pdbs = async (scenario: string, extra: string[] = []) =>
      ofKind(await renderScenario(scenario, extra), "PodDisruptionBudget")
        .map(componentOf)
        .sort();
    assert.deepEqual(await pdbs("minimal"), ["gateway", "retrieval"]);
    const others = [...ARTIFACT_USERS, "retrieval"].filter((c) => c !== "controller").sort();
    assert.deepEqual(await pdbs("production"), others, "not the controller: its standby is never ready");
    const asked = await pdbs("production", ["--set", "controller.podDisruptionBudget.enabled=true"]);
    assert.ok(asked.includes("controller"), "unless asked for");
  });

  test("one artifact volume is mounted at the same path by every service that uses it", async () => {
    const minimal = await renderScenario("minimal");
    const pvc = named(minimal, "PersistentVolumeClaim", "isara-artifacts");
    assert.deepEqual(pvc.spec?.accessModes, ["ReadWriteMany"]);
    for (const component of deployedComponents(minimal)) {
      const d = deploymentOf(minimal, component);
      const claim = podSpec(d).volumes?.find((v) => v.name === "artifacts")?.persistentVolumeClaim?.claimName;
      const mount = container(d).volumeMounts?.find((m) => m.name === "artifacts")?.mountPath;
      if (!ARTIFACT_USERS.includes(component)) {
        assert.equal(claim, undefined, `${component} does not mount artifacts`);
        continue;
      }
      assert.equal(claim, "isara-artifacts", component);
      assert.equal(
        mount,
        envValue(envOf(minimal, container(d)), "ARTIFACT_ROOT"),
        `${component}: ARTIFACT_ROOT`,
      );
    }
    const production = await renderScenario("production");
    assert.equal(ofKind(production, "PersistentVolumeClaim").length, 0, "an existing claim is used as is");
  });

  test("a ServiceMonitor is rendered only when asked for", async () => {
    const monitor = named(await renderScenario("production"), "ServiceMonitor", "isara");
    assert.equal(monitor.metadata.labels?.release, "kube-prometheus-stack");
    assert.equal(ofKind(await renderScenario("minimal"), "ServiceMonitor").length, 0);
  });

  test("retrieval on LanceDB keeps its vectors on its own volume, one pod at a time", async () => {
    const objects = await renderScenario("lancedb-retrieval");
    const d = deploymentOf(objects, "retrieval");
    const env = envOf(objects, container(d));
    assert.equal(envValue(env, "VECTOR_BACKEND"), "lancedb");
    assert.equal(env.has("QDRANT_URL"), false);
    const mount = container(d).volumeMounts?.find((m) => m.mountPath === envValue(env, "LANCEDB_DIR"));
    const claim = podSpec(d).volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
    assert.deepEqual(named(objects, "PersistentVolumeClaim", claim ?? "").spec?.accessModes, [
      "ReadWriteOnce",
    ]);
    assert.equal(d.spec?.strategy?.type, "Recreate");
  });

  test("development instances of Kafka and Qdrant are off by default and wired in when on", async () => {
    const minimal = await renderScenario("minimal");
    assert.ok(!minimal.some((o) => componentOf(o).startsWith("dev-")), "no dev objects by default");
    const dev = await renderScenario("dev-instances");
    assert.match(container(named(dev, "Deployment", "isara-dev-kafka")).image, /^apache\/kafka:/);
    assert.match(container(named(dev, "Deployment", "isara-dev-qdrant")).image, /^qdrant\/qdrant:/);
    for (const component of KAFKA_USERS) {
      const env = envOf(dev, container(deploymentOf(dev, component)));
      assert.equal(envValue(env, "KAFKA_BROKERS"), "isara-dev-kafka:9092", component);
    }
    const retrieval = envOf(dev, container(deploymentOf(dev, "retrieval")));
    assert.equal(envValue(retrieval, "QDRANT_URL"), "http://isara-dev-qdrant:6333");
  });
});
