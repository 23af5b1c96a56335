/**
 * The chart's RBAC, evaluated by a real kube-apiserver: the Roles and RoleBindings of the minimal
 * scenario are created, then `kubectl auth can-i --as=<service account>` asks, for every call the
 * controller and training-dispatch make (services/controller/src/kube/, services/training-dispatch/
 * src/kube-trainer.ts, @isara/kube-kit), whether it is allowed — and, for least privilege, that
 * nearby calls they do not make are denied.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type KubeApiServer, kubeSkipReason, startKubeApiServer } from "@isara/testkit/kube";
import { type Kubectl, kubectlFor } from "../kubernetes/kubectl.js";
import {
  CHARTS,
  chartToolsSkip,
  installChartTools,
  type Manifest,
  render,
  scenarioFile,
} from "./chart-fixture.js";

const skip = chartToolsSkip() || kubeSkipReason();
const RBAC_KINDS = new Set(["ServiceAccount", "Role", "RoleBinding"]);

/** verb, resource (with group and subresource as kubectl writes them). */
type Call = readonly [string, string];

const CONTROLLER_CALLS: Call[] = [
  ["list", "alignmentruns.isara.dev"],
  ["watch", "alignmentruns.isara.dev"],
  ["patch", "alignmentruns.isara.dev"],
  ["patch", "alignmentruns.isara.dev/status"],
  ["create", "events"],
  ["get", "leases.coordination.k8s.io"],
  ["create", "leases.coordination.k8s.io"],
  ["update", "leases.coordination.k8s.io"],
  ["get", "configmaps"],
  ["list", "jobs.batch"],
  ["delete", "jobs.batch"],
  ["list", "configmaps"],
  ["delete", "configmaps"],
];
const CONTROLLER_DENIED: Call[] = [
  ["create", "jobs.batch"],
  ["get", "secrets"],
  ["create", "alignmentruns.isara.dev"],
  ["delete", "leases.coordination.k8s.io"],
  ["create", "pods"],
];
const DISPATCH_CALLS: Call[] = [
  ["create", "jobs.batch"],
  ["get", "jobs.batch"],
  ["delete", "jobs.batch"],
  ["create", "configmaps"],
  ["delete", "configmaps"],
  ["list", "pods"],
];
const DISPATCH_DENIED: Call[] = [
  ["get", "secrets"],
  ["patch", "alignmentruns.isara.dev/status"],
  ["delete", "pods"],
  ["update", "leases.coordination.k8s.io"],
];

describe("the isara chart's RBAC on a real kube-apiserver", { skip }, () => {
  let kube: KubeApiServer | undefined;
  let accounts: Manifest[] = [];
  const kubectl: Kubectl = (args, input) => {
    if (kube === undefined) throw new Error("the API server is not started");
    return kubectlFor(kube.kubeconfigPath)(args, input);
  };
  const accountOf = (component: string): string => {
    const sa = accounts.find((m) => m.metadata.labels?.["app.kubernetes.io/component"] === component);
    assert.ok(sa, `a ServiceAccount of ${component}`);
    return `system:serviceaccount:isara:${sa.metadata.name}`;
  };
  const canI = (who: string, [verb, resource]: Call): boolean =>
    kubectl(["auth", "can-i", verb, resource, "--namespace", "isara", `--as=${who}`]).stdout.trim() === "yes";

  before(async () => {
    const bin = await installChartTools();
    kube = await startKubeApiServer();
    assert.equal(kubectl(["create", "namespace", "isara"]).status, 0);
    // The CRD, as the chart installs it from crds/ (kubectl resolves alignmentruns through discovery).
    assert.equal(kubectl(["apply", "-f", join(CHARTS, "isara/crds/alignmentruns.yaml")]).status, 0);
    kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/alignmentruns.isara.dev"]);
    const { objects } = await render(bin, "isara", "isara", [scenarioFile("isara", "minimal")]);
    const items = objects.filter((o) => RBAC_KINDS.has(o.kind));
    accounts = items.filter((o) => o.kind === "ServiceAccount");
    const applied = kubectl(
      ["apply", "--namespace", "isara", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items }),
    );
    assert.equal(applied.status, 0, applied.stderr);
  });
  after(async () => {
    await kube?.stop();
  });

  test("the controller may make every call it makes, and not the ones it does not", () => {
    const who = accountOf("controller");
    for (const call of CONTROLLER_CALLS)
      assert.ok(canI(who, call), `controller: ${call.join(" ")} must be allowed`);
    for (const call of CONTROLLER_DENIED)
      assert.ok(!canI(who, call), `controller: ${call.join(" ")} must be denied`);
  });

  test("training-dispatch may install, watch and remove trainer releases, and nothing more", () => {
    const who = accountOf("training-dispatch");
    for (const call of DISPATCH_CALLS)
      assert.ok(canI(who, call), `training-dispatch: ${call.join(" ")} must be allowed`);
    for (const call of DISPATCH_DENIED)
      assert.ok(!canI(who, call), `training-dispatch: ${call.join(" ")} must be denied`);
  });

  test("the other services get no API access at all", () => {
    for (const component of ["gateway", "generation", "filtering", "evaluation", "retrieval"]) {
      const sa = accounts.find((m) => m.metadata.labels?.["app.kubernetes.io/component"] === component);
      if (sa === undefined) continue;
      assert.ok(!canI(`system:serviceaccount:isara:${sa.metadata.name}`, ["list", "configmaps"]), component);
    }
  });
});
