// Pipeline overhead: the generation stage of a round (write prompts, then write answers) against raw
// llama.cpp completions of exactly the same requests, in one process on one machine. Goal: the pipeline
// keeps at least 0.95 of the raw samples per second. Results and how to read them: docs/benchmarks.md.
//
// A first, unmeasured pipeline pass records every completion request the pipeline sends (and warms the
// contexts, the embedder and LanceDB). Then three modes run `--repeats` times each in a balanced order
// (A B C, then C B A, ...), so a machine that gets busier or cooler over time does not favour one mode:
//   raw-adapter  the recorded requests (same prompts, sampling and seeds) replayed on the same LlamaLlm
//                with the same parallelism and the same barrier between the prompt and answer phases:
//                nothing but generation.
//   raw-llama    the same requests on node-llama-cpp's own LlamaCompletion, on contexts shaped like the
//                adapter's (same lanes, threads and sequences; a second load of the same GGUF): the
//                adapter's own overhead shows as the gap between raw-adapter and raw-llama.
//   pipeline     writePrompts + writeAnswers for N slots of round 1 of the domain, with the real embedder,
//                LanceDB (seeds upserted first) and the runner's slot checkpoints (append to a .partial
//                file per slot, atomic write of the phase's output), through the LlamaLlm adapter.
// Same seeds must give the same tokens, so token counts are compared request by request.
//
// Usage (from the repo root, after `npx turbo run build` and `bash scripts/setup.sh models`):
//   node bench/pipeline-overhead.mjs [--slots 32] [--parallel 2] [--threads <cpus>] [--repeats 2]
//                                    [--domain examples/domains/misconceptions] [--model file.gguf] [--json]
// Prints a markdown table and one JSON line on stdout (only the JSON line with --json); progress on stderr.
import { appendFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseDomainFiles, seedSamples } from "@isara/core";
import { defaultEmbedderDir, openLocalEmbedder } from "@isara/embedder-local";
import { createLlamaLlm, defaultModelPath } from "@isara/llm-llama";
import { mapPool, writeAnswers, writePrompts } from "@isara/core/pipeline";
import { FsArtifactStore } from "@isara/store-fs";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";

const { values: args } = parseArgs({
  options: {
    slots: { type: "string", default: "32" },
    parallel: { type: "string", default: "2" },
    threads: { type: "string", default: String(availableParallelism()) },
    repeats: { type: "string", default: "2" },
    domain: { type: "string", default: "examples/domains/misconceptions" },
    model: { type: "string", default: defaultModelPath() },
    json: { type: "boolean", default: false },
  },
});
const positive = (name) => {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`pipeline-overhead: --${name} must be a positive integer, got "${args[name]}"`);
    process.exit(2);
  }
  return n;
};
const slots = positive("slots");
const parallel = positive("parallel");
const threads = positive("threads");
const repeats = positive("repeats");
const log = (message) => process.stderr.write(`pipeline-overhead: ${message}\n`);
const RUN = "bench";
/** Prompt tokens evaluated per step by the adapter (llm-llama generate.ts); raw-llama prefills alike. */
const PREFILL_CHUNK = 512;

const domainDir = resolve(args.domain);
const read = (name) => readFile(join(domainDir, name), "utf8");
const domain = parseDomainFiles({
  config: await read("domain.json"),
  seeds: await read("seeds.jsonl"),
  eval: await read("eval.jsonl"),
});
const seeds = seedSamples(RUN, domain.config.name, domain.seeds);
const work = await mkdtemp(join(tmpdir(), "isara-pipeline-overhead-"));
const loadStart = loadavg()[0];

const llm = await createLlamaLlm({ modelPath: args.model, parallelism: parallel, threads });
const embedder = await openLocalEmbedder({ modelDir: defaultEmbedderDir() });
const store = await openLanceVectorStore({ dir: join(work, "vectors"), dimension: embedder.dimension });
await store.upsert(seeds, await embedder.embed(seeds.map((s) => s.prompt)));
const raw = await openRawLlama(args.model, llm.contextSize, parallel, threads);

/** The Llm port around `llm`, recording each request (in submission order) and what came back. */
function recorder(into) {
  return {
    modelId: llm.modelId,
    parallelism: llm.parallelism,
    close: async () => {},
    complete: async (request, signal) => {
      const entry = { request };
      into.push(entry);
      const completion = await llm.complete(request, signal);
      entry.tokens = completion.tokens;
      return completion;
    },
  };
}

/** Appends finished slots to `<key>.partial`, then writes `<key>` in slot order, as the runner does. */
function checkpoint(artifacts, key) {
  const partial = artifacts.locate(`${key}.partial`);
  return {
    add: async (row) => {
      await mkdir(dirname(partial), { recursive: true });
      await appendFile(partial, `${JSON.stringify(row)}\n`);
    },
    complete: async (rows) => {
      const ordered = [...rows].sort((a, b) => a.slot - b.slot);
      await artifacts.write(key, ordered.map((r) => `${JSON.stringify(r)}\n`).join(""));
      await rm(partial, { force: true });
    },
  };
}

/** One generation stage of round 1 for `slotList`; returns the requests sent, per phase. */
async function pipelinePass(name, slotList) {
  const artifacts = new FsArtifactStore({ root: join(work, name) });
  const sent = { prompts: [], answers: [] };
  const config = domain.config;
  const promptRows = checkpoint(artifacts, "round-1/prompts.jsonl");
  const written = await writePrompts(
    { config, round: 1, slots: slotList, sets: [seeds] },
    { llm: recorder(sent.prompts), tokenizer: llm },
    promptRows.add,
  );
  await promptRows.complete(written);
  const prompts = new TextDecoder()
    .decode(await artifacts.read("round-1/prompts.jsonl"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
  const candidateRows = checkpoint(artifacts, "round-1/candidates.jsonl");
  const candidates = await writeAnswers(
    { run: RUN, config, round: 1, prompts, setSizes: [seeds.length] },
    { llm: recorder(sent.answers), tokenizer: llm, embedder, store },
    candidateRows.add,
  );
  await candidateRows.complete(candidates);
  return sent;
}

/** Replays recorded requests on the adapter, phase by phase, `parallel` at a time. */
async function adapterPass(recorded) {
  const tokens = [];
  for (const phase of ["prompts", "answers"]) {
    const done = await mapPool(recorded[phase], parallel, (e) => llm.complete(e.request));
    tokens.push(...done.map((c) => c.tokens));
  }
  return tokens;
}

/**
 * node-llama-cpp without the adapter: one context per lane (min(parallel, threads) lanes, threads split
 * between them, parallel/lanes sequences each), as LlamaLlm shapes its own; a fresh sequence per request.
 */
async function openRawLlama(modelPath, contextSize, parallelism, threadCount) {
  const lanes = Math.min(parallelism, threadCount);
  const llama = await getLlama({
    gpu: false,
    build: "never",
    skipDownload: true,
    usePrebuiltBinaries: true,
    progressLogs: false,
    maxThreads: threadCount,
    logLevel: LlamaLogLevel.error,
  });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const contexts = [];
  for (let i = 0; i < lanes; i++)
    contexts.push(
      await model.createContext({
        contextSize,
        sequences: Math.ceil(parallelism / lanes),
        threads: Math.max(1, Math.floor(threadCount / lanes)),
      }),
    );
  const complete = async (worker, request) => {
    const prompt = model.tokenize(request.prompt, false);
    const sequence = contexts[worker % lanes].getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    try {
      // Prefill in the adapter's chunks: llama.cpp's floats depend on how tokens are batched, and sampled
      // text diverges after a few tokens when they differ. LlamaCompletion reuses this state as a prefix.
      for (let at = 0; at < prompt.length - 1; at += PREFILL_CHUNK)
        await sequence.evaluateWithoutGeneratingNewTokens(
          prompt.slice(at, Math.min(at + PREFILL_CHUNK, prompt.length - 1)),
        );
      const { metadata } = await completion.generateCompletionWithMeta(prompt, {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        topP: request.topP,
        topK: 0,
        minP: 0,
        seed: request.seed >>> 0,
        customStopTriggers: request.stop ?? [],
        // The adapter's rule: every prompt and generated token is penalised (see llm-llama generate.ts).
        repeatPenalty:
          request.repetitionPenalty === 1
            ? false
            : {
                lastTokens: prompt.length + request.maxTokens,
                penalizeNewLine: true,
                penalty: request.repetitionPenalty,
                punishTokensFilter: (generated) => prompt.concat(generated),
              },
      });
      // Tokens sampled (the meter counts decodes that produce logits), less an end-of-generation token,
      // which the adapter does not count either; stop-string tokens count in both.
      const sampled = sequence.tokenMeter.usedOutputTokens;
      return sampled - (metadata.stopReason === "eogToken" ? 1 : 0);
    } finally {
      completion.dispose();
      await sequence.dispose();
    }
  };
  return {
    /** Replays recorded requests phase by phase, `parallelism` workers pulling in submission order. */
    async pass(recorded) {
      const tokens = [];
      for (const phase of ["prompts", "answers"]) {
        const queue = recorded[phase];
        const out = new Array(queue.length);
        let next = 0;
        await Promise.all(
          Array.from({ length: Math.min(parallelism, queue.length) }, async (_, worker) => {
            while (next < queue.length) {
              const i = next++;
              out[i] = await complete(worker, queue[i].request);
            }
          }),
        );
        tokens.push(...out);
      }
      return tokens;
    },
    async close() {
      for (const c of contexts) await c.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

const flat = (recorded) => [...recorded.prompts, ...recorded.answers];
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const keyOf = (request) => `${request.seed}\u0000${request.prompt}`;
const matches = (a, b) => a.filter((x, i) => x === b[i]).length;

log(
  `${slots} slots, parallel ${parallel}, ${threads} threads, ${repeats} repeats, load ${loadStart.toFixed(2)}`,
);
// Recording pass (not measured): records the requests to replay, and warms everything the pipeline
// touches (the adapter's contexts, the embedder, LanceDB), so no measured pass pays first-use costs.
log("recording pass (not measured)");
const recorded = await pipelinePass(
  "recording",
  Array.from({ length: slots }, (_, i) => i),
);
await raw.pass({ prompts: recorded.prompts.slice(0, parallel), answers: [] });

const passes = [];
const modes = ["raw-adapter", "raw-llama", "pipeline"];
const measure = async (mode, repeat) => {
  const start = performance.now();
  let tokens;
  if (mode === "pipeline") {
    const sent = await pipelinePass(
      `pipeline-${repeat}`,
      Array.from({ length: slots }, (_, i) => i),
    );
    // Answer requests go out in the order their retrievals finish, so match requests by seed and prompt.
    const byKey = new Map(flat(sent).map((e) => [keyOf(e.request), e.tokens]));
    const same =
      byKey.size === flat(recorded).length && flat(recorded).every((e) => byKey.has(keyOf(e.request)));
    tokens = flat(recorded).map((e) => byKey.get(keyOf(e.request)) ?? -1);
    passes.push({ mode, repeat, seconds: (performance.now() - start) / 1000, tokens, sameRequests: same });
  } else {
    tokens = mode === "raw-adapter" ? await adapterPass(recorded) : await raw.pass(recorded);
    passes.push({ mode, repeat, seconds: (performance.now() - start) / 1000, tokens });
  }
  const p = passes.at(-1);
  log(`${mode} #${repeat + 1}: ${p.seconds.toFixed(1)} s, ${sum(p.tokens)} tokens`);
};
for (let r = 0; r < repeats; r++) {
  // A B C, then C B A: a steady drift of the machine's speed weighs on every mode alike.
  for (const mode of r % 2 === 0 ? modes : [...modes].reverse()) await measure(mode, r);
}
const loadEnd = loadavg()[0];

const reference = flat(recorded).map((e) => e.tokens);
const summary = Object.fromEntries(
  modes.map((mode) => {
    const mine = passes.filter((p) => p.mode === mode);
    const seconds = sum(mine.map((p) => p.seconds)) / mine.length;
    const range = [Math.min(...mine.map((p) => p.seconds)), Math.max(...mine.map((p) => p.seconds))];
    const tokens = sum(mine.map((p) => sum(p.tokens))) / mine.length;
    const requestsMatching = Math.min(...mine.map((p) => matches(p.tokens, reference)));
    return [
      mode,
      {
        seconds,
        range,
        samplesPerSec: slots / seconds,
        tokensPerSec: tokens / seconds,
        tokens,
        requestsMatching,
      },
    ];
  }),
);
const ratio = (a, b, key) => summary[a][key] / summary[b][key];
const result = {
  bench: "pipeline-overhead",
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? "unknown",
  cpus: availableParallelism(),
  loadavg: { start: loadStart, end: loadEnd },
  model: llm.modelId,
  domain: domain.config.name,
  slots,
  parallel,
  threads,
  repeats,
  requests: reference.length,
  summary,
  ratios: {
    pipelineVsRawAdapter: {
      samples: ratio("pipeline", "raw-adapter", "samplesPerSec"),
      tokens: ratio("pipeline", "raw-adapter", "tokensPerSec"),
    },
    pipelineVsRawLlama: {
      samples: ratio("pipeline", "raw-llama", "samplesPerSec"),
      tokens: ratio("pipeline", "raw-llama", "tokensPerSec"),
    },
    rawAdapterVsRawLlama: {
      samples: ratio("raw-adapter", "raw-llama", "samplesPerSec"),
      tokens: ratio("raw-adapter", "raw-llama", "tokensPerSec"),
    },
  },
  pipelineRequestsRepeatable: passes.filter((p) => p.mode === "pipeline").every((p) => p.sameRequests),
  passes: passes.map(({ mode, repeat, seconds, tokens }) => ({ mode, repeat, seconds, tokens: sum(tokens) })),
};

if (!args.json) {
  const f = (x, d = 2) => x.toFixed(d);
  const lines = [
    `Pipeline overhead — ${result.model}, ${domain.config.name} round 1, ${slots} slots (${result.requests} completions), ` +
      `parallel ${parallel}, ${threads} threads, ${result.cpus} CPUs, load ${f(loadStart)} → ${f(loadEnd)}`,
    "",
    "| mode | mean s | min–max s | samples/s | tokens/s | tokens | requests with the pipeline's token count |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...modes.map((m) => {
      const s = summary[m];
      return `| ${m} | ${f(s.seconds)} | ${f(s.range[0])}–${f(s.range[1])} | ${f(s.samplesPerSec, 3)} | ${f(s.tokensPerSec, 1)} | ${f(s.tokens, 0)} | ${s.requestsMatching}/${result.requests} |`;
    }),
    "",
    "| ratio | samples/s | tokens/s |",
    "|---|---:|---:|",
    ...Object.entries(result.ratios).map(([k, v]) => `| ${k} | ${f(v.samples, 3)} | ${f(v.tokens, 3)} |`),
    "",
    "| pass | mode | seconds | tokens |",
    "|---:|---|---:|---:|",
    ...passes.map((p, i) => `| ${i + 1} | ${p.mode} | ${f(p.seconds)} | ${sum(p.tokens)} |`),
    "",
    `Goal (samples/s ratio ≥ 0.95): pipeline/raw-adapter ${f(result.ratios.pipelineVsRawAdapter.samples, 3)} ` +
      `${result.ratios.pipelineVsRawAdapter.samples >= 0.95 ? "met" : "NOT met"}, pipeline/raw-llama ` +
      `${f(result.ratios.pipelineVsRawLlama.samples, 3)} ${result.ratios.pipelineVsRawLlama.samples >= 0.95 ? "met" : "NOT met"}. ` +
      `Pipeline passes sent identical requests: ${result.pipelineRequestsRepeatable ? "yes" : "no"}.`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
}
process.stdout.write(`${JSON.stringify(result)}\n`);

await raw.close();
await store.close();
await embedder.close();
await llm.close();
await rm(work, { recursive: true, force: true });
