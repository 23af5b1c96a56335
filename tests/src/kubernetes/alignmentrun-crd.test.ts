import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type KubeApiServer, kubeSkipReason, startKubeApiServer } from "@isara/testkit/kube";
import { EXAMPLE_RUN, installCrd, type Kubectl, kubectlFor, must } from "./kubectl.js";

const skip = kubeSkipReason();

function run(name: string, spec: object): string {
  return JSON.stringify({ apiVersion: "isara.dev/v1alpha1", kind: "AlignmentRun", metadata: { name }, spec });
}

describe("the AlignmentRun custom resource on a real kube-apiserver", { skip }, () => {
  let kube: KubeApiServer;
  let kubectl: Kubectl;
  before(async () => {
    kube = await startKubeApiServer();
    kubectl = kubectlFor(kube.kubeconfigPath);
    installCrd(kubectl);
  });
  after(async () => {
    await kube?.stop();
  });

  test("the example applies, and the API server fills in the defaults", () => {
    must(kubectl, ["apply", "-f", EXAMPLE_RUN]);
    const stored = JSON.parse(must(kubectl, ["get", "alignmentrun", "misconceptions-isara", "-o", "json"]));
    assert.equal(stored.spec.mode, "isara");
    assert.equal(stored.spec.domain.configMap.name, "misconceptions-domain");
  });

  test("kubectl get shows Phase, Round, Queue, Accepted, Metric and Age from the status subresource; the short name works", () => {
    must(kubectl, [
      "patch",
      "arun",
      "misconceptions-isara",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({
        status: {
          phase: "Training",
          round: 1,
          accepted: 7,
          rejected: 1,
          latestMetric: { name: "rougeL_diff", value: -0.5, round: 0 },
        },
      }),
    ]);
    const table = must(kubectl, ["get", "alignmentruns"]).trim().split("\n");
    assert.match(table[0] ?? "", /^NAME\s+PHASE\s+ROUND\s+QUEUE\s+ACCEPTED\s+METRIC\s+AGE$/);
    assert.match(table[1] ?? "", /^misconceptions-isara\s+Training\s+1\s+7\s+-0\.5\s+\d+s$/);
    const wide = must(kubectl, ["get", "arun", "-o", "wide"]);
    assert.match(wide, /DOMAIN\s+MODE\s+REJECTED/);
    assert.match(wide, /misconceptions\s+isara\s+1/);
  });

  test("a queued run shows phase Queued and its place in its tenant's queue", () => {
    must(kubectl, [
      "patch",
      "arun",
      "misconceptions-isara",
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { phase: "Queued", round: 0, queuePosition: 2 } }),
    ]);
    const table = must(kubectl, ["get", "alignmentruns"]).trim().split("\n");
    assert.match(table[1] ?? "", /^misconceptions-isara\s+Queued\s+0\s+2\s/);
  });

  test("a spec cannot change once created: the message says to make a new run", () => {
    const res = kubectl([
      "patch",
      "arun",
      "misconceptions-isara",
      "--type=merge",
      "-p",
      '{"spec":{"isara":{"rounds":5}}}',
    ]);
    assert.notEqual(res.status, 0);
    assert.match(
      res.stderr,
      /spec is immutable once the run is created; delete this AlignmentRun and create a new one/,
    );
  });

  test("bad specs are refused with a message naming the field", () => {
    const cases: [string, string, RegExp][] = [
      [
        run("two-sources", { domain: { name: "d", configMap: { name: "c" }, url: "https://x" } }),
        "one of",
        /set at most one of configMap, path and url/,
      ],
      [
        run("bad-mode", { domain: { name: "d" }, mode: "rlhf" }),
        "mode",
        /spec.mode: Unsupported value: "rlhf"/,
      ],
      [
        run("bad-rounds", { domain: { name: "d" }, isara: { rounds: 0 } }),
        "rounds",
        /spec.isara.rounds: Invalid value: 0/,
      ],
      [run("bad-domain", { domain: { name: "Not A Slug" } }), "slug", /spec.domain.name: Invalid value/],
      [
        run("blank-model", { domain: { name: "d" }, model: { base: "   " } }),
        "model",
        /spec.model.base: Invalid value/,
      ],
      [
        run("bad-rate", { domain: { name: "d" }, trainer: { learningRate: 0 } }),
        "learning rate",
        /spec.trainer.learningRate: Invalid value/,
      ],
      [
        run("escape", { domain: { name: "d", path: "a/../../etc" } }),
        "path",
        /must stay inside the domains volume/,
      ],
      [run("no-domain", {}), "required", /spec.domain: Required value/],
      [run("x".repeat(64), { domain: { name: "d" } }), "name", /the name is the run id/],
    ];
    for (const [body, what, message] of cases) {
      const res = kubectl(["create", "-f", "-"], body);
      assert.notEqual(res.status, 0, `${what} must be refused`);
      assert.match(res.stderr, message, what);
    }
    assert.equal(
      must(kubectl, ["get", "arun", "-o", "name"]).trim(),
      "alignmentrun.isara.dev/misconceptions-isara",
    );
  });
});
