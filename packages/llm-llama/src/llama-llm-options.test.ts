import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { resolveLlamaLlmOptions } from "./llama-llm-options.js";

const lanesOf = (o: Parameters<typeof resolveLlamaLlmOptions>[0]) => {
  const r = resolveLlamaLlmOptions(o);
  return { lanes: r.lanes, threadsPerLane: r.threadsPerLane, sequencesPerLane: r.sequencesPerLane };
};

test("parallel completions are spread over one-thread lanes by default", () => {
  const r = resolveLlamaLlmOptions({ modelPath: "models/x.gguf" });
  assert.equal(r.parallelism, 2);
  assert.equal(r.threads, Math.min(2, availableParallelism()));
  assert.equal(r.threadsPerLane, 1);
  assert.equal(
    r.lanes * r.sequencesPerLane >= r.parallelism,
    true,
    "every parallel completion has a sequence",
  );
});

test("lanes never outnumber threads; extra threads go to each lane, extra completions share a lane", () => {
  assert.deepEqual(lanesOf({ modelPath: "m.gguf", parallelism: 4, threads: 2 }), {
    lanes: 2,
    threadsPerLane: 1,
    sequencesPerLane: 2,
  });
  assert.deepEqual(lanesOf({ modelPath: "m.gguf", parallelism: 2, threads: 8 }), {
    lanes: 2,
    threadsPerLane: 4,
    sequencesPerLane: 1,
  });
  assert.deepEqual(lanesOf({ modelPath: "m.gguf", parallelism: 3, threads: 2 }), {
    lanes: 2,
    threadsPerLane: 1,
    sequencesPerLane: 2,
  });
});

test("the model path becomes absolute and names the model unless modelId is given", () => {
  const r = resolveLlamaLlmOptions({ modelPath: "models/SmolLM2-135M-Instruct.Q4_1.gguf" });
  assert.equal(r.modelPath, resolve("models/SmolLM2-135M-Instruct.Q4_1.gguf"));
  assert.equal(r.modelId, "SmolLM2-135M-Instruct.Q4_1");
  assert.equal(resolveLlamaLlmOptions({ modelPath: "m.gguf", modelId: "base" }).modelId, "base");
});

test("every bad option is reported in one invalid_argument error", () => {
  assert.throws(
    () => resolveLlamaLlmOptions({ modelPath: " ", parallelism: 0, maxAdapters: 100, modelId: "" }),
    (err) => {
      if (!isIsaraError(err, "invalid_argument")) return false;
      const problems = (err.details as { problems: string[] }).problems;
      assert.deepEqual(
        problems.map((p) => p.split(" ")[0]),
        ["modelPath", "parallelism", "maxAdapters", "modelId"],
      );
      return true;
    },
  );
});
