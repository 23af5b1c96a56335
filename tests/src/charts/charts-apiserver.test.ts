/**
 * Every ci/ scenario of both charts, applied to a real kube-apiserver (infra/kube/fetch.sh) as
 * `kubectl apply --dry-run=server --validate=strict` into a namespace that enforces the "restricted"
 * Pod Security Standard: the API server refuses unknown or misspelt fields, wrong types and invalid
 * objects, and warns about any pod template that would break the standard. Objects of CRDs the test
 * cluster does not have (KEDA's ScaledObject, the Prometheus Operator's ServiceMonitor) are left out;
 * charts.test.ts and isara-chart.test.ts check those.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { type KubeApiServer, kubeSkipReason, startKubeApiServer } from "@isara/testkit/kube";
import { type Kubectl, kubectlFor } from "../kubernetes/kubectl.js";
import { chartToolsSkip, installChartTools, type Manifest, render, scenarios } from "./chart-fixture.js";

/** API groups whose CRDs the test cluster does not install. */
const FOREIGN_GROUPS = ["keda.sh/", "monitoring.coreos.com/"];

function kubectlSkip(): string | false {
  const probe = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" });
  return probe.error === undefined && probe.status === 0
    ? false
    : "needs kubectl on PATH (1.32, like the API server)";
}

const skip = chartToolsSkip() || kubectlSkip() || kubeSkipReason();

describe("rendered charts on a real kube-apiserver: strict validation, restricted Pod Security", {
  skip,
}, () => {
  let kube: KubeApiServer | undefined;
  let bin = "";
  const kubectl: Kubectl = (args, input) => {
    if (kube === undefined) throw new Error("the API server is not started");
    return kubectlFor(kube.kubeconfigPath)(args, input);
  };

  before(async () => {
    bin = await installChartTools();
    kube = await startKubeApiServer();
    const created = kubectl(["create", "namespace", "isara"]);
    assert.equal(created.status, 0, created.stderr);
    const labels = ["enforce", "warn"].map((mode) => `pod-security.kubernetes.io/${mode}=restricted`);
    const labelled = kubectl(["label", "namespace", "isara", ...labels]);
    assert.equal(labelled.status, 0, labelled.stderr);
  });
  after(async () => {
    await kube?.stop();
  });

  for (const chart of ["isara", "isara-trainer"]) {
    for (const s of scenarios(chart)) {
      test(`${chart} ${s.name}: the API server accepts every object without a warning`, async () => {
        const { objects } = await render(bin, chart, `${chart === "isara" ? "isara" : "train-run-1-r1"}`, [
          s.file,
        ]);
        const items: Manifest[] = objects.filter(
          (o) => !FOREIGN_GROUPS.some((g) => o.apiVersion.startsWith(g)),
        );
        const list = JSON.stringify({ apiVersion: "v1", kind: "List", items });
        const applied = kubectl(
          ["apply", "--namespace", "isara", "--dry-run=server", "--validate=strict", "-f", "-"],
          list,
        );
        assert.equal(applied.status, 0, `kubectl apply refused the manifests:\n${applied.stderr}`);
        const warnings = applied.stderr.split("\n").filter((l) => /warning/i.test(l));
        assert.deepEqual(warnings, [], "no Pod Security or deprecation warnings");
        const accepted = applied.stdout.split("\n").filter((l) => l.includes("(server dry run)"));
        assert.equal(accepted.length, items.length, `every object is accepted:\n${applied.stdout}`);
      });
    }
  }
});
