/**
 * Both Helm charts as an operator meets them: every ci/ scenario passes `helm lint --strict`, renders,
 * passes kube-score (with the skips in charts/kube-score.ignore, each with its reason) and runs every
 * container hardened, with probes and a config checksum; a missing required value stops rendering
 * with a message that names it. The chart's own behaviours are in isara-chart.test.ts and
 * trainer-chart.test.ts. helm and kube-score come from infra/kube/helm-tools.sh (built once with Go).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import {
  CHARTS,
  chartToolsSkip,
  helm,
  ignoredChecks,
  installChartTools,
  kubeScore,
  ofKind,
  render,
  scenarioFile,
  scenarios,
} from "./chart-fixture.js";
import { assertHardened, assertServiceProbes, componentOf } from "./workload-checks.js";

const skip = chartToolsSkip();

/** How each platform component is probed: gRPC health, gRPC once leading (standby replicas), or HTTP. */
const PROBES: Record<string, "grpc" | "standby" | "http"> = { controller: "standby", retrieval: "grpc" };

describe("Helm charts: lint, render, kube-score, hardened workloads", { skip }, () => {
  let bin = "";
  before(async () => {
    bin = await installChartTools();
  });

  test("every kube-score skip names its check, where it applies and why", () => {
    const ignored = ignoredChecks();
    assert.ok(ignored.length > 0);
    for (const i of ignored) {
      assert.match(i.check, /^[a-z-]+$/, `a check id: ${JSON.stringify(i)}`);
      assert.ok(i.where !== "", `where ${i.check} is skipped`);
      assert.ok(i.reason.length > 20, `why ${i.check} is skipped`);
    }
  });

  for (const chart of ["isara", "isara-trainer"]) {
    const release = chart === "isara" ? "isara" : "train-harmless-7f3a-r1";
    for (const s of scenarios(chart)) {
      test(`${chart} ${s.name}: helm lint --strict, helm template, kube-score`, async () => {
        const lint = await helm(bin, ["lint", "--strict", join(CHARTS, chart), "-f", s.file]);
        assert.ok(lint.ok, `helm lint failed:\n${lint.stdout}${lint.stderr}`);

        const { text, objects } = await render(bin, chart, release, [s.file]);
        assertHardened(objects, ["dev-kafka"]);
        for (const d of ofKind(objects, "Deployment")) {
          const component = componentOf(d);
          if (component.startsWith("dev-")) continue;
          assertServiceProbes(d, PROBES[component] ?? "http");
          const checksum = d.spec?.template?.metadata.annotations?.["checksum/config"];
          assert.match(
            checksum ?? "",
            /^[0-9a-f]{64}$/,
            `${d.metadata.name} has a checksum/config annotation`,
          );
        }

        const score = await kubeScore(bin, chart, s.name, text);
        const problems = score.stdout.split("\n").filter((l) => /^\[(CRITICAL|WARNING)\]/.test(l));
        assert.ok(score.ok, `kube-score found problems:\n${problems.join("\n")}${score.stderr}`);
      });
    }
  }

  test("isara: a changed setting rolls the pods that read it, and only those", async () => {
    const minimal = scenarioFile("isara", "minimal");
    const checksums = async (extra: string[]) => {
      const { objects } = await render(bin, "isara", "isara", [minimal], extra);
      return new Map(
        ofKind(objects, "Deployment").map((d) => [
          componentOf(d),
          d.spec?.template?.metadata.annotations?.["checksum/config"],
        ]),
      );
    };
    const before = await checksums([]);
    const debug = await checksums(["--set", "controller.logLevel=debug"]);
    assert.notEqual(debug.get("controller"), before.get("controller"));
    assert.equal(debug.get("gateway"), before.get("gateway"));
    const moreGpus = await checksums(["--set", "trainer.gpu.count=4"]);
    assert.notEqual(
      moreGpus.get("training-dispatch"),
      before.get("training-dispatch"),
      "trainer values count",
    );
    assert.equal(moreGpus.get("generation"), before.get("generation"));
  });

  const required: [string, string, string, RegExp][] = [
    ["isara", "minimal", "kafka.brokers=null", /kafka\.brokers is required: .*Strimzi.*dev\.kafka\.enabled/],
    ["isara", "minimal", "kafka.brokers=kafka", /kafka\.brokers has "kafka", which is not host:port/],
    [
      "isara",
      "minimal",
      "qdrant.url=null",
      /qdrant\.url is required while retrieval\.vectorBackend is qdrant/,
    ],
    [
      "isara",
      "minimal",
      "llm.baseUrl=null",
      /llm\.baseUrl is required while generation or evaluation is enabled/,
    ],
    [
      "isara",
      "minimal",
      "llm.baseUrl=vllm:8000",
      /llm\.baseUrl is "vllm:8000", which is not an http\(s\) URL/,
    ],
    ["isara", "minimal", "baseModel.name=null", /baseModel\.name is required/],
    [
      "isara",
      "minimal",
      "baseModel.path=null",
      /baseModel\.path is required while trainingDispatch is enabled/,
    ],
    ["isara", "minimal", "gateway.tokens.existingSecret=null", /gateway\.tokens\.existingSecret is required/],
    ["isara", "minimal", "judge.url=http://judge:8000", /judge\.url and judge\.model go together/],
    [
      "isara",
      "minimal",
      "evaluation.judge.url=http://judge:8000",
      /evaluation\.judge\.url moved to judge\.url: one judge serves filtering .* and evaluation/,
    ],
    ["isara", "lancedb-retrieval", "retrieval.replicas=2", /lancedb .*retrieval must run one replica/],
    ["isara-trainer", "minimal", "run.id=null", /run\.id is required/],
    ["isara-trainer", "minimal", "run.id=a/b", /run\.id is "a\/b", which is not a Kubernetes label value/],
    ["isara-trainer", "minimal", "run.round=null", /run\.round is required/],
    ["isara-trainer", "minimal", "spec=null", /spec is required: the TrainSpec/],
    ["isara-trainer", "minimal", "artifacts.claimName=null", /artifacts\.claimName is required/],
    [
      "isara-trainer",
      "minimal",
      "spec.outputDir=/tmp/out",
      /spec\.outputDir is "\/tmp\/out", which is not under artifacts\.mountPath/,
    ],
  ];
  for (const [chart, scenario, set, message] of required) {
    test(`${chart}: --set ${set} stops rendering with a message naming the value`, async () => {
      const args = ["template", "x", join(CHARTS, chart), "-f", scenarioFile(chart, scenario), "--set", set];
      const result = await helm(bin, args);
      assert.equal(result.ok, false, "rendering fails");
      assert.match(result.stderr, message);
    });
  }

  test("isara: values are required only while a component that uses them is enabled", async () => {
    const off = [
      "--set",
      "llm.baseUrl=null,generation.enabled=false,evaluation.enabled=false",
      "--set",
      "baseModel.path=null,trainingDispatch.enabled=false",
      "--set",
      "gateway.tokens.existingSecret=null,gateway.enabled=false",
    ];
    const { objects } = await render(bin, "isara", "isara", [scenarioFile("isara", "minimal")], off);
    assert.deepEqual(ofKind(objects, "Deployment").map(componentOf).sort(), [
      "controller",
      "filtering",
      "retrieval",
    ]);
  });
});
