/**
 * Who may talk to and act as the components of charts/isara: the NetworkPolicies (each component
 * accepts only its callers and reaches only what it calls) and the namespaced, least-privilege RBAC of
 * controller and training-dispatch. Rendered with the pinned helm from infra/kube/helm-tools.sh.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  chartToolsSkip,
  installChartTools,
  type Manifest,
  named,
  ofKind,
  render,
  scenarioFile,
} from "./chart-fixture.js";
import { deployedComponents } from "./workload-checks.js";

const skip = chartToolsSkip();
const KAFKA_USERS = ["controller", "evaluation", "filtering", "generation", "training-dispatch"];

describe("charts/isara: network and API access", { skip }, () => {
  let bin = "";
  const renderScenario = async (scenario: string) =>
    (await render(bin, "isara", "isara", [scenarioFile("isara", scenario)])).objects;
  before(async () => {
    bin = await installChartTools();
  });

  test("NetworkPolicies allow only the calls the design needs", async () => {
    const objects = await renderScenario("minimal");
    const policy = (component: string) => named(objects, "NetworkPolicy", `isara-${component}`);
    const callers = (component: string) =>
      (policy(component).spec?.ingress ?? [])
        .filter((r) => r.ports?.some((p) => p.port === 50051))
        .flatMap((r) => r.from ?? [])
        .map((peer) => peer.podSelector?.matchLabels?.["app.kubernetes.io/component"])
        .sort();
    assert.deepEqual(callers("controller"), ["gateway"]);
    assert.deepEqual(callers("retrieval"), ["controller", "filtering", "generation"]);
    const open = policy("gateway").spec?.ingress?.find((r) => r.from === undefined);
    assert.deepEqual(
      open?.ports?.map((p) => p.port),
      [8080],
      "the REST API is open to anyone by default",
    );

    const egressPorts = (component: string) =>
      new Set((policy(component).spec?.egress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port)));
    for (const component of deployedComponents(objects)) {
      const ports = egressPorts(component);
      assert.ok(ports.has(53), `${component} resolves names`);
      assert.equal(ports.has(9092), KAFKA_USERS.includes(component), `${component} -> Kafka`);
      assert.equal(
        ports.has(8000),
        ["evaluation", "generation", "training-dispatch"].includes(component),
        `${component} -> LLM`,
      );
      assert.equal(
        ports.has(6443),
        ["controller", "training-dispatch"].includes(component),
        `${component} -> API server`,
      );
      assert.equal(ports.has(6333), component === "retrieval", `${component} -> Qdrant`);
      const scrape = policy(component).spec?.ingress?.[0];
      assert.equal(
        scrape?.from?.[0]?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"],
        "monitoring",
      );
    }
    const trainer = named(objects, "NetworkPolicy", "isara-trainer");
    assert.deepEqual(trainer.spec?.policyTypes, ["Ingress", "Egress"]);
    assert.equal(
      (trainer.spec?.ingress ?? []).length + (trainer.spec?.egress ?? []).length,
      0,
      "no traffic at all",
    );

    assert.equal(ofKind(await renderScenario("no-networkpolicy"), "NetworkPolicy").length, 0);
  });

  test("with a judge, filtering may reach it on the LLM servers' ports and peers, as evaluation does", async () => {
    const objects = (
      await render(
        bin,
        "isara",
        "isara",
        [scenarioFile("isara", "minimal")],
        ["--set", "judge.url=http://vllm-judge.llm:8000,judge.model=judge"],
      )
    ).objects;
    const rules = (component: string) =>
      (named(objects, "NetworkPolicy", `isara-${component}`).spec?.egress ?? []).filter((r) =>
        r.ports?.some((p) => p.port === 8000),
      );
    assert.equal(rules("filtering").length, 1, "filtering -> judge");
    assert.deepEqual(rules("filtering"), rules("evaluation"));
  });

  test("RBAC is namespaced and least privilege", async () => {
    const objects = await renderScenario("minimal");
    assert.equal(ofKind(objects, "ClusterRole").length + ofKind(objects, "ClusterRoleBinding").length, 0);
    const rules = (name: string) =>
      (named(objects, "Role", name).rules ?? [])
        .flatMap((r) =>
          r.apiGroups.flatMap((g) => r.resources.map((res) => `${g || "core"}/${res}: ${r.verbs.join(",")}`)),
        )
        .sort();
    assert.deepEqual(rules("isara-controller"), [
      "batch/jobs: list,watch,delete",
      "coordination.k8s.io/leases: get,create,update",
      "core/configmaps: get,list,watch,delete",
      "core/events: create,patch",
      "events.k8s.io/events: create,patch",
      "isara.dev/alignmentruns/finalizers: update",
      "isara.dev/alignmentruns/status: get,update,patch",
      "isara.dev/alignmentruns: get,list,watch,update,patch",
    ]);
    assert.deepEqual(rules("isara-training-dispatch"), [
      "batch/jobs: get,list,watch,create,patch,delete",
      "core/configmaps: get,create,patch,delete",
      "core/events: create",
      "core/pods: get,list,watch",
      "events.k8s.io/events: create",
    ]);
    for (const binding of ofKind(objects, "RoleBinding")) {
      const subjects = (binding as Manifest & { subjects: { name: string }[] }).subjects;
      for (const s of subjects) named(objects, "ServiceAccount", s.name);
    }
  });
});
