import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { defaultEmbedderDir } from "./model-dir.js";
import { MANIFEST_FILE } from "./model-manifest.js";
import { OnnxEmbedder, openLocalEmbedder } from "./onnx-embedder.js";

const modelDir = defaultEmbedderDir();
const skip = existsSync(join(modelDir, MANIFEST_FILE))
  ? false
  : `needs the embedding model in ${modelDir}; install it with \`bash infra/fetch-embedder.sh\``;

/**
 * Reference vectors from sentence-transformers 6.2 (torch 2.15, CPU) with all-MiniLM-L6-v2, computed
 * once outside the repo: the first 8 dimensions of each unit vector and the pairwise cosines. The
 * last text is 400 tokens long, so it also checks truncation at 256 tokens.
 */
const REFERENCE = {
  texts: [
    "The quick brown fox jumps over the lazy dog.",
    "What happens if you eat watermelon seeds?",
    "Café naïve résumé — ünïcödé 東京 🚀",
    "x ".repeat(400),
  ],
  first8: [
    [0.043934, 0.058934, 0.048178, 0.077548, 0.026744, -0.03763, -0.002605, -0.059943],
    [-0.078517, 0.057515, -0.043395, 0.07258, -0.000357, 0.039755, 0.039, -0.023847],
    [-0.003941, -0.016688, 0.063504, -0.012163, -0.023071, 0.025675, 0.012045, -0.032522],
    [-0.002061, -0.037469, -0.031494, -0.042564, -0.100168, -0.082647, -0.03391, 0.000215],
  ],
  cos: [
    [1.0, 0.109581, 0.034252, 0.093938],
    [0.109581, 1.0, -0.043631, -0.004662],
    [0.034252, -0.043631, 1.0, 0.133318],
    [0.093938, -0.004662, 0.133318, 1.0],
  ],
};

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe("OnnxEmbedder with the installed model", { skip }, () => {
  let embedder: OnnxEmbedder;
  before(async () => {
    embedder = await openLocalEmbedder({ modelDir, batchSize: 2 });
  });
  after(() => embedder?.close());

  it("names its model and gives 384-d unit vectors, one per text, in order", async () => {
    assert.equal(embedder.modelId, "all-MiniLM-L6-v2");
    assert.equal(embedder.dimension, 384);
    const vectors = await embedder.embed(["a", "", "  a longer text about the sea  "]);
    assert.equal(vectors.length, 3);
    for (const v of vectors) {
      assert.ok(v instanceof Float32Array);
      assert.equal(v.length, 384);
      assert.ok(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-5);
    }
    const [again] = await embedder.embed(["  a longer text about the sea  "]);
    assert.ok(again && dot(again, vectors[2] as Float32Array) > 0.99999);
  });

  it("matches sentence-transformers on the same texts, long and non-ASCII ones included", async () => {
    const vectors = await embedder.embed(REFERENCE.texts);
    vectors.forEach((v, i) => {
      const want = REFERENCE.first8[i] ?? [];
      want.forEach((w, d) => {
        assert.ok(Math.abs((v[d] ?? 0) - w) < 1e-4, `text ${i} dim ${d}: ${v[d]} vs ${w}`);
      });
      vectors.forEach((u, j) => {
        const c = REFERENCE.cos[i]?.[j] ?? Number.NaN;
        assert.ok(Math.abs(dot(v, u) - c) < 1e-4, `cos(${i},${j}) ${dot(v, u)} vs ${c}`);
      });
    });
  });

  it("gives the same vector for a text whatever it is batched with", async () => {
    const alone = await embedder.embed(["Do vaccines cause autism?"]);
    const mixed = await embedder.embed(["short", REFERENCE.texts[3] ?? "", "Do vaccines cause autism?", "x"]);
    assert.ok(dot(alone[0] as Float32Array, mixed[2] as Float32Array) > 0.99999);
  });

  it("puts a paraphrase nearer than an unrelated question", async () => {
    const [q, para, other] = await embedder.embed([
      "What happens if you swallow gum?",
      "Is it dangerous to swallow chewing gum?",
      "Who painted the ceiling of the Sistine Chapel?",
    ]);
    assert.ok(q && para && other);
    assert.ok(dot(q, para) > dot(q, other) + 0.3, `${dot(q, para)} vs ${dot(q, other)}`);
  });

  it("handles concurrent calls and an empty list", async () => {
    const texts = ["one", "two", "three"];
    const results = await Promise.all(texts.map((t) => embedder.embed([t])));
    const together = await embedder.embed(texts);
    results.forEach(([v], i) => {
      assert.ok(dot(v as Float32Array, together[i] as Float32Array) > 0.99999);
    });
    assert.deepEqual(await embedder.embed([]), []);
  });

  it("refuses anything but strings", async () => {
    await assert.rejects(embedder.embed(["ok", 3 as unknown as string]), (err: unknown) =>
      isIsaraError(err, "invalid_argument"),
    );
  });

  it("fails clearly after close", async () => {
    const other = await OnnxEmbedder.load({ modelDir });
    await other.close();
    await assert.rejects(other.embed(["x"]), (err: unknown) => isIsaraError(err, "failed_precondition"));
  });
});

describe("OnnxEmbedder without a model", () => {
  it("says the model is missing and how to install it", async () => {
    const empty = await mkdtemp(join(tmpdir(), "isara-no-model-"));
    try {
      await assert.rejects(
        OnnxEmbedder.load({ modelDir: empty }),
        (err: unknown) => isIsaraError(err, "not_found") && /infra\/fetch-embedder\.sh/.test(err.message),
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("reports a damaged install with the reinstall command", async () => {
    const dir = await mkdtemp(join(tmpdir(), "isara-bad-model-"));
    try {
      await writeFile(join(dir, MANIFEST_FILE), '{"modelId": "m", "dimension": 384}');
      await assert.rejects(
        OnnxEmbedder.load({ modelDir: dir }),
        (err: unknown) => isIsaraError(err, "failed_precondition") && /--force/.test(err.message),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
