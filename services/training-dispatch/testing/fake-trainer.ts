/**
 * Test double of the Trainer port, standing in for the Python trainer (torch) where a test is about
 * the service, not about training: it records each spec and the dataset it was given, reports a few
 * progress steps, and writes the outputs the real trainer writes (adapter/adapter_config.json,
 * adapter.gguf, its own result.json with absolute paths) under the spec's output folder. The real
 * trainer runs in `train-work-handler.trainer.test.ts`. Scripted failures imitate the subprocess
 * trainer's errors (exit codes, signals). Not exported.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { IsaraError, type Trainer, type TrainProgress, type TrainResult, type TrainSpec } from "@isara/core";

/** What one call of the double does instead of succeeding. */
export type FakeTrainerScript =
  | { readonly kind: "exit"; readonly code: number; readonly message: string }
  | { readonly kind: "signal"; readonly signal: NodeJS.Signals }
  | { readonly kind: "block" };

/** A spec the double was given, with the dataset rows as they were when training started. */
export interface SeenTraining {
  readonly spec: TrainSpec;
  readonly rows: readonly { prompt: string; response: string }[];
}

/** The test double, with what it saw. */
export interface FakeTrainer extends Trainer {
  readonly trainings: SeenTraining[];
  /** Most trainings that ran at the same time. */
  readonly maxConcurrent: number;
  /** Scripts for the next calls, used up in order; an empty queue succeeds. */
  readonly script: FakeTrainerScript[];
  /** Resolves when the next training starts (call it before the training is asked for). */
  started(): Promise<void>;
}

/** A new {@link FakeTrainer} whose trainings take 3 steps with losses 3, 2, 1. */
export function createFakeTrainer(): FakeTrainer {
  const trainings: SeenTraining[] = [];
  const script: FakeTrainerScript[] = [];
  let running = 0;
  let maxConcurrent = 0;
  const waiting: (() => void)[] = [];

  async function train(
    spec: TrainSpec,
    onProgress?: (p: TrainProgress) => void,
    signal?: AbortSignal,
  ): Promise<TrainResult> {
    running++;
    maxConcurrent = Math.max(maxConcurrent, running);
    try {
      const text = await readFile(spec.datasetPath, "utf8");
      const rows = text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { prompt: string; response: string });
      trainings.push({ spec, rows });
      for (const wake of waiting.splice(0)) wake();
      const next = script.shift();
      // Yield once, so a second call made meanwhile would overlap with this one if it could.
      await new Promise((resolve) => setImmediate(resolve));
      if (next?.kind === "block") {
        await new Promise<void>((_, reject) => {
          const stop = () => reject(new IsaraError("cancelled", "training was cancelled"));
          if (signal?.aborted) stop();
          signal?.addEventListener("abort", stop, { once: true });
        });
      }
      if (next?.kind === "exit") {
        const code = next.code === 2 ? "invalid_argument" : "internal";
        throw new IsaraError(code, `the trainer exited with code ${next.code}: ${next.message}`, {
          exit: { code: next.code, signal: null },
        });
      }
      if (next?.kind === "signal") {
        throw new IsaraError("internal", `the trainer was killed by ${next.signal}: no message`, {
          exit: { code: null, signal: next.signal },
        });
      }
      const losses = [3, 2, 1];
      losses.forEach((loss, i) => {
        onProgress?.({ step: i + 1, totalSteps: losses.length, loss, tokensPerSecond: 100 });
      });
      const adapterDir = join(spec.outputDir, "adapter");
      const ggufAdapterPath = join(spec.outputDir, "adapter.gguf");
      await mkdir(adapterDir, { recursive: true });
      await writeFile(join(adapterDir, "adapter_config.json"), JSON.stringify({ r: spec.loraRank }));
      await writeFile(join(adapterDir, "adapter_model.safetensors"), "weights");
      await writeFile(ggufAdapterPath, "gguf");
      const result: TrainResult = { adapterDir, ggufAdapterPath, steps: 3, finalLoss: 1, losses };
      await writeFile(join(spec.outputDir, "result.json"), JSON.stringify(result));
      return result;
    } finally {
      running--;
    }
  }

  return {
    trainings,
    script,
    get maxConcurrent() {
      return maxConcurrent;
    },
    started: () => new Promise<void>((resolve) => waiting.push(resolve)),
    train,
    async close() {},
  };
}
