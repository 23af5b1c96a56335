import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  planStack,
  type ServiceName,
  type ServicePorts,
  START_ORDER,
  type StackSettings,
} from "./stack-plan.js";

const settings: StackSettings = {
  root: "/repo",
  dir: "/stack",
  kafkaBootstrap: "127.0.0.1:9092",
  modelPath: "/models/smol.gguf",
  trainerPython: "/venv/bin/python",
  gatewayTokens: { abc: "local" },
  llmParallel: 3,
};

const ports = Object.fromEntries(
  START_ORDER.map((name, i) => [name, { http: 8000 + i, ...(i < 2 ? { grpc: 9000 + i } : {}) }]),
) as Record<ServiceName, ServicePorts>;

describe("planStack", () => {
  it("starts retrieval first and the gateway last, each from its built main.js", () => {
    const plan = planStack(settings, ports);
    assert.deepEqual(
      plan.map((s) => s.name),
      ["retrieval", "controller", "generation", "filtering", "training-dispatch", "evaluation", "gateway"],
    );
    assert.equal(plan[2]?.entry, "/repo/services/generation/dist/main.js");
  });

  it("wires every service to the same broker, artifact volume and retrieval address, on its own port", () => {
    const plan = new Map(planStack(settings, ports).map((s) => [s.name, s.env]));
    for (const name of [
      "controller",
      "generation",
      "filtering",
      "training-dispatch",
      "evaluation",
    ] as const) {
      assert.equal(plan.get(name)?.KAFKA_BROKERS, "127.0.0.1:9092", name);
      assert.equal(plan.get(name)?.ARTIFACT_ROOT, "/stack/artifacts", name);
    }
    for (const name of ["controller", "generation", "filtering"] as const) {
      assert.equal(plan.get(name)?.RETRIEVAL_ADDRESS, "127.0.0.1:9000", name);
    }
    assert.equal(plan.get("retrieval")?.GRPC_PORT, "9000");
    assert.equal(plan.get("gateway")?.CONTROLLER_ADDRESS, "127.0.0.1:9001");
    assert.equal(plan.get("gateway")?.ARTIFACT_ROOT, "/stack/artifacts");
    assert.deepEqual(JSON.parse(plan.get("gateway")?.GATEWAY_TOKENS ?? ""), { abc: "local" });
    assert.equal(plan.get("generation")?.MODEL_PATH, "/models/smol.gguf");
    assert.equal(plan.get("evaluation")?.LLM_PARALLEL, "3");
    assert.equal(plan.get("controller")?.BASE_MODEL, "/models/smol.gguf");
    assert.equal(plan.get("training-dispatch")?.BASE_MODEL_PATH, "/models/smol.gguf");
    assert.equal(plan.get("training-dispatch")?.TRAINER_PYTHON, "/venv/bin/python");
    const httpPorts = [...plan.values()].map((env) => env.HTTP_PORT);
    assert.equal(new Set(httpPorts).size, START_ORDER.length, "each service has its own HTTP port");
  });

  it("keeps the samples in LanceDB in the stack folder, or in Qdrant when the stack has a Qdrant server", () => {
    const retrieval = (s: StackSettings) => planStack(s, ports).find((p) => p.name === "retrieval")?.env;
    const lance = retrieval(settings);
    assert.equal(lance?.VECTOR_BACKEND, "lancedb");
    assert.equal(lance?.LANCEDB_DIR, "/stack/lancedb");
    assert.equal(lance?.QDRANT_URL, undefined);
    const qdrant = retrieval({ ...settings, qdrantUrl: "http://127.0.0.1:6333" });
    assert.equal(qdrant?.VECTOR_BACKEND, "qdrant");
    assert.equal(qdrant?.QDRANT_URL, "http://127.0.0.1:6333");
    assert.equal(qdrant?.LANCEDB_DIR, undefined);
  });

  it("applies extra variables last, so a caller can override any default", () => {
    const plan = planStack(
      { ...settings, extraEnv: { generation: { LLM_PARALLEL: "1", RETRY_MAX_DELAY: "2s" } } },
      ports,
    );
    const env = plan.find((s) => s.name === "generation")?.env;
    assert.equal(env?.LLM_PARALLEL, "1");
    assert.equal(env?.RETRY_MAX_DELAY, "2s");
  });

  it("refuses a plan without the controller's gRPC port", () => {
    assert.throws(
      () => planStack(settings, { ...ports, controller: { http: 1 } }),
      /no gRPC port for controller/,
    );
  });
});
