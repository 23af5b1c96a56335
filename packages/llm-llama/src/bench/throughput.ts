/**
 * Throughput of the in-process LLM: samples/s and tokens/s for N completions of T tokens, for each
 * combination of parallelism (sequences batched together) and CPU threads. Not a test: it prints a
 * table so a person can pick the defaults for a machine.
 *
 * Usage: node packages/llm-llama/dist/bench/throughput.js [model.gguf] [completions=16] [tokens=64]
 * (the model defaults to $ISARA_LLM_MODEL or the SmolLM2 GGUF of infra/fetch-models.sh).
 */
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createLlamaLlm } from "../llama-llm.js";
import { resolveLlamaLlmOptions } from "../llama-llm-options.js";
import { defaultModelPath } from "../model-cache.js";

const PROMPT =
  "BEGINNING OF CONVERSATION: USER: What is the boiling point of water at sea level? ASSISTANT: Water boils at " +
  "100 degrees Celsius (212 degrees Fahrenheit) at sea level. END OF CONVERSATION\n\n" +
  "BEGINNING OF CONVERSATION: USER: Why is the sky blue? ASSISTANT: Sunlight is scattered by the air, and blue " +
  "light is scattered the most. END OF CONVERSATION\n\nBEGINNING OF CONVERSATION: USER:";

interface Row {
  readonly parallelism: number;
  readonly threads: number;
  readonly seconds: number;
  readonly samples: number;
  readonly tokens: number;
}

async function measure(
  modelPath: string,
  parallelism: number,
  threads: number,
  n: number,
  maxTokens: number,
) {
  const llm = await createLlamaLlm({ modelPath, parallelism, threads, contextSize: 1024 });
  try {
    const request = (seed: number) => ({
      prompt: PROMPT,
      maxTokens,
      temperature: 0.7,
      topP: 0.9,
      repetitionPenalty: 1.05,
      seed,
    });
    await llm.complete({ ...request(0), maxTokens: 4 });
    const start = performance.now();
    const done = await Promise.all(Array.from({ length: n }, (_, i) => llm.complete(request(i + 1))));
    const seconds = (performance.now() - start) / 1000;
    return {
      parallelism,
      threads,
      seconds,
      samples: done.length,
      tokens: done.reduce((s, c) => s + c.tokens, 0),
    };
  } finally {
    await llm.close();
  }
}

async function main(): Promise<void> {
  const [modelArg, nArg, tokensArg] = process.argv.slice(2);
  const modelPath = modelArg ?? defaultModelPath();
  if (!existsSync(modelPath)) {
    console.error(`no model at ${modelPath}; run infra/fetch-models.sh or pass a GGUF path`);
    process.exitCode = 1;
    return;
  }
  const n = Number(nArg ?? 16);
  const maxTokens = Number(tokensArg ?? 64);
  const cores = availableParallelism();
  console.log(
    `model ${modelPath}\n${n} completions x ${maxTokens} tokens, ${cores} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const rows: Row[] = [];
  for (const threads of [...new Set([1, cores])]) {
    for (const parallelism of [1, 2]) rows.push(await measure(modelPath, parallelism, threads, n, maxTokens));
  }
  const base = rows[0];
  console.log(
    "parallelism | threads | lanes x threads x sequences | seconds | samples/s | tokens/s | vs first row",
  );
  for (const r of rows) {
    const rate = r.samples / r.seconds;
    const ratio = base === undefined ? 1 : rate / (base.samples / base.seconds);
    const shape = resolveLlamaLlmOptions({ modelPath, parallelism: r.parallelism, threads: r.threads });
    const lanes = `${shape.lanes} x ${shape.threadsPerLane} x ${shape.sequencesPerLane}`;
    console.log(
      `${String(r.parallelism).padStart(11)} | ${String(r.threads).padStart(7)} | ${lanes.padStart(27)} | ` +
        `${r.seconds.toFixed(2).padStart(7)} | ` +
        `${rate.toFixed(2).padStart(9)} | ${(r.tokens / r.seconds).toFixed(1).padStart(8)} | ${ratio.toFixed(2)}x`,
    );
  }
}

await main();
