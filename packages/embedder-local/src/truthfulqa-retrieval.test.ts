import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { firstSkip, missing, pathOf, type Requirement, sharedDataDir } from "@isara/testkit";
import { defaultEmbedderDir } from "./model-dir.js";
import { MANIFEST_FILE } from "./model-manifest.js";
import { neighbourPrecision } from "./neighbour-precision.js";
import { OnnxEmbedder } from "./onnx-embedder.js";

const modelDir = defaultEmbedderDir();
const model: Requirement = existsSync(join(modelDir, MANIFEST_FILE))
  ? { ok: true, path: modelDir, skip: false }
  : missing(`needs the embedding model in ${modelDir}; install it with \`bash infra/fetch-embedder.sh\``);
const data = sharedDataDir("truthfulqa");

describe("retrieval quality on TruthfulQA", () => {
  it("finds same-category questions as nearest neighbours far above chance", {
    skip: firstSkip(data, model),
  }, async () => {
    const rows = ["seeds.jsonl", "eval.jsonl"].flatMap((file) =>
      readFileSync(join(pathOf(data), file), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as { question: string; category: string }),
    );
    const embedder = await OnnxEmbedder.load({ modelDir: pathOf(model) });
    try {
      const vectors = await embedder.embed(rows.map((r) => r.question));
      const r = neighbourPrecision(
        vectors,
        rows.map((row) => row.category),
        [1, 5],
      );
      // Measured 0.57 / 0.43 against a chance rate of 0.04 (docs/embeddings.md); a broken model or
      // tokenizer falls to chance, so these floors only catch real breakage.
      assert.ok((r.precision[1] ?? 0) > 0.45, `precision@1 ${r.precision[1]}`);
      assert.ok((r.precision[5] ?? 0) > 0.35, `precision@5 ${r.precision[5]}`);
      assert.ok(r.chance < 0.06, `chance ${r.chance}`);
    } finally {
      await embedder.close();
    }
  });
});
