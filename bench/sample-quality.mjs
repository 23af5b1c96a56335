#!/usr/bin/env node
/**
 * What each generation setting and filter does to the samples a round produces: one round of prompts
 * and answers (no training) per generation variant, from the paper's settings to this project's
 * defaults one change at a time, each judged by the `paper` and the `quality` filter presets, with
 * the sample-quality figures of the candidates and of each accepted set. Not a test: about 3 minutes
 * per variant at 48 prompts on 2 cores. Results and the exact command: docs/results.md.
 *
 *   node bench/sample-quality.mjs [--domain examples/domains/misconceptions | --dataset truthfulqa]
 *        [--prompts 48] [--variants paper,window,trim,sized] [--seed 0] [--out runs/sample-quality]
 *        [--data <shared data folder>]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { toJsonl } from "@isara/contracts";
import { parseDomainFiles, seedSamples } from "@isara/core";
import { filterStep, writeAnswers, writePrompts } from "@isara/core/pipeline";
import { defaultEmbedderDir, openLocalEmbedder } from "@isara/embedder-local";
import { createLlmBackend } from "@isara/llm-backends";
import { defaultModelPath } from "@isara/llm-llama";
import { FsArtifactStore } from "@isara/store-fs";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { buildTruthfulqa } from "./paper/domains.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    domain: { type: "string" },
    dataset: { type: "string" },
    prompts: { type: "string", default: "48" },
    variants: { type: "string", default: "paper,window,trim,sized" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "runs/sample-quality" },
    data: { type: "string", default: process.env.ISARA_SHARED_DATA ?? join(root, "../shared/data") },
  },
});

/** Generation variants, each one change on top of the one before (the ablation's order). */
const VARIANTS = {
  paper: { sampling: { repetitionWindow: 0, unfinished: "keep" }, tokenLimits: "fixed" },
  window: { sampling: { repetitionWindow: 64, unfinished: "keep" }, tokenLimits: "fixed" },
  trim: { sampling: { repetitionWindow: 64, unfinished: "trim" }, tokenLimits: "fixed" },
  sized: { sampling: { repetitionWindow: 64, unfinished: "trim" }, tokenLimits: "seeds" },
  drop: { sampling: { repetitionWindow: 64, unfinished: "drop" }, tokenLimits: "seeds" },
};

const out = resolve(values.out);
mkdirSync(out, { recursive: true });
let domainDir = values.domain ? resolve(values.domain) : join(root, "examples/domains/misconceptions");
if (values.dataset === "truthfulqa") {
  domainDir = buildTruthfulqa(values.data, join(out, "truthfulqa-domain"), {
    prompts: 1,
    rounds: 1,
    evalSize: 8,
  }).dir;
}
const read = (f) => readFileSync(join(domainDir, f), "utf8");
const base = parseDomainFiles({
  config: read("domain.json"),
  seeds: read("seeds.jsonl"),
  eval: read("eval.jsonl"),
});
const N = Number(values.prompts);

const scratch = mkdtempSync(join(tmpdir(), "sample-quality-"));
const artifacts = new FsArtifactStore({ root: scratch });
const { llm, tokenizer } = await createLlmBackend(
  {
    backend: "llama",
    modelPath: defaultModelPath(),
    modelId: undefined,
    parallelism: 2,
    timeoutMs: undefined,
  },
  artifacts,
);
const embedder = await openLocalEmbedder({ modelDir: defaultEmbedderDir() });

const pct = (x) => (x === null ? "–" : `${(100 * x).toFixed(1)}%`);
const num = (x, d = 2) => (x === null ? "–" : x.toFixed(d));
const rows = [];
const started = Date.now();
try {
  for (const name of values.variants.split(",")) {
    const variant = VARIANTS[name];
    if (!variant) throw new Error(`unknown variant ${name}; use ${Object.keys(VARIANTS).join(", ")}`);
    const isara = {
      ...base.config.isara,
      seed: Number(values.seed),
      promptsPerRound: N,
      tokenLimits: variant.tokenLimits,
      promptSampling: { ...base.config.isara.promptSampling, ...variant.sampling },
      answerSampling: { ...base.config.isara.answerSampling, ...variant.sampling },
    };
    const run = `q-${name}`;
    const seeds = seedSamples(run, base.config.name, base.seeds);
    const t0 = Date.now();
    const judged = {};
    for (const preset of ["paper", "quality"]) {
      const config = { ...base.config, isara, filterPreset: preset, filters: undefined };
      const store = await openLanceVectorStore({
        dir: join(scratch, `${name}-${preset}`),
        dimension: embedder.dimension,
      });
      await store.upsert(seeds, await embedder.embed(seeds.map((s) => s.prompt)));
      if (judged.candidates === undefined) {
        const slots = Array.from({ length: N }, (_, i) => i);
        const prompts = await writePrompts({ config, round: 1, slots, sets: [seeds] }, { llm, tokenizer });
        judged.candidates = await writeAnswers(
          { run, config, round: 1, prompts, setSizes: [seeds.length], seeds },
          { llm, tokenizer, embedder, store },
        );
        judged.seconds = (Date.now() - t0) / 1000;
      }
      const result = await filterStep(
        {
          run,
          domain: base.config.name,
          config,
          round: 1,
          candidates: judged.candidates,
          earlier: seeds,
          generatorModel: llm.modelId,
        },
        { embedder, store },
      );
      await store.close();
      judged[preset] = result;
      writeFileSync(join(out, `${name}-${preset}-accepted.jsonl`), toJsonl(result.accepted));
      writeFileSync(join(out, `${name}-${preset}-rejected.jsonl`), toJsonl(result.rejected));
    }
    const q = judged.paper.quality;
    const set = (label, f) => rows.push({ variant: name, set: label, ...f });
    if (rows.length === 0) set("seeds", q.seeds);
    set("candidates", q.candidates);
    set("accepted (paper filters)", q.accepted);
    set("accepted (quality filters)", judged.quality.quality.accepted);
    process.stderr.write(
      `-- ${name}: ${N} candidates in ${judged.seconds.toFixed(0)} s; rejected by quality: ${JSON.stringify(judged.quality.report.rejectedBy)}\n`,
    );
  }
} finally {
  await embedder.close();
  await llm.close();
  rmSync(scratch, { recursive: true, force: true });
}

const header = [
  "variant",
  "set",
  "n",
  "role leak",
  "caps",
  "unfinished",
  "non-word",
  "distinct-2",
  "relevance",
  "near-dup",
  "len×seeds",
];
const lines = [
  `| ${header.join(" | ")} |`,
  `| ${header.map(() => "---").join(" | ")} |`,
  ...rows.map(
    (r) =>
      `| ${[r.variant, r.set, r.samples, pct(r.roleLeak), pct(r.capsGibberish), pct(r.unfinished), pct(r.nonWordRate), num(r.distinct2), num(r.relevance), pct(r.nearDuplicateInSet === null ? null : Math.max(r.nearDuplicateInSet, r.nearDuplicateEarlier)), num(r.lengthRatio)].join(" | ")} |`,
  ),
];
const table = `${lines.join("\n")}\n`;
writeFileSync(
  join(out, "quality.md"),
  `${domainDir.replace(root, ".")}, N=${N}, seed ${values.seed}, ${((Date.now() - started) / 60000).toFixed(1)} min\n\n${table}`,
);
writeFileSync(join(out, "quality.json"), `${JSON.stringify(rows, null, 2)}\n`);
process.stdout.write(table);
