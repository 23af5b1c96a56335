import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { IsaraError, type Trainer, type TrainProgress, type TrainResult, type TrainSpec } from "@isara/core";

/** How to start the Python trainer. */
export interface SubprocessTrainerOptions {
  /** Python interpreter of the trainer's environment (e.g. `services/trainer/.venv/bin/python`). */
  readonly python: string;
  /** Extra environment for the trainer (e.g. `PYTHONPATH`, `ISARA_TRAINER_THREADS`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory of the trainer process. */
  readonly cwd?: string;
  /** Called with each line the trainer writes to stderr (its logs). */
  readonly onLog?: (line: string) => void;
}

/** Exit code the trainer uses for a bad spec or dataset (see docs/trainer.md). */
export const TRAINER_EXIT_BAD_INPUT = 2;

/**
 * Runs `python -m isara_trainer train --spec <outputDir>/spec.json`, relays its JSON-lines progress and
 * returns the `result.json` it writes. The trainer is a separate process so a crash in native code
 * (torch, out of memory) cannot take the orchestrator down: it turns into one clear error instead.
 */
export function createSubprocessTrainer(options: SubprocessTrainerOptions): Trainer {
  const running = new Set<ReturnType<typeof spawn>>();
  return {
    async train(spec: TrainSpec, onProgress?: (p: TrainProgress) => void, signal?: AbortSignal) {
      await mkdir(spec.outputDir, { recursive: true });
      const specPath = join(spec.outputDir, "spec.json");
      await writeFile(specPath, `${JSON.stringify(spec, null, 2)}\n`);
      const child = spawn(options.python, ["-m", "isara_trainer", "train", "--spec", specPath], {
        cwd: options.cwd,
        // The trainer ends itself when this process dies, even before it could ask Linux to tell it.
        env: {
          ...process.env,
          PYTHONUNBUFFERED: "1",
          ISARA_TRAINER_PARENT_PID: String(process.pid),
          ...options.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      running.add(child);
      const onAbort = () => child.kill("SIGTERM");
      signal?.addEventListener("abort", onAbort, { once: true });
      const stderrTail: string[] = [];
      let lastError: string | undefined;
      createInterface({ input: child.stderr }).on("line", (line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
        options.onLog?.(line);
      });
      createInterface({ input: child.stdout }).on("line", (line) => {
        const event = parseEvent(line);
        if (event?.event === "progress" && onProgress) onProgress(toProgress(event));
        if (event?.event === "error" && typeof event.message === "string") lastError = event.message;
      });
      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve, reject) => {
          child.once("error", (err) =>
            reject(
              new IsaraError(
                "not_found",
                `cannot start the trainer with '${options.python}': ${err.message}. Run 'make setup' to create its environment.`,
                undefined,
                { cause: err },
              ),
            ),
          );
          child.once("close", (code, sig) => resolve({ code, signal: sig }));
        },
      ).finally(() => {
        running.delete(child);
        signal?.removeEventListener("abort", onAbort);
      });
      if (signal?.aborted) throw new IsaraError("cancelled", "training was cancelled");
      if (exit.code !== 0) {
        const why = lastError ?? stderrTail.slice(-5).join("\n");
        const code = exit.code === TRAINER_EXIT_BAD_INPUT ? "invalid_argument" : "internal";
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        throw new IsaraError(code, `the trainer ${how}: ${why || "no message"}`, { exit });
      }
      return readResult(join(spec.outputDir, "result.json"));
    },
    async close() {
      for (const child of running) child.kill("SIGTERM");
    },
  };
}

function parseEvent(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function toProgress(e: Record<string, unknown>): TrainProgress {
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    step: num(e.step),
    totalSteps: num(e.totalSteps),
    loss: num(e.loss),
    tokensPerSecond: num(e.tokensPerSecond),
  };
}

/**
 * The `result.json` a trainer wrote at `path`, checked: wherever the trainer ran (a subprocess here, a
 * Kubernetes Job on the shared volume), its outputs are read the same way.
 * @throws IsaraError `internal` when the file is missing or lacks a field.
 */
export async function readResult(path: string): Promise<TrainResult> {
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (err) {
    throw new IsaraError("internal", `the trainer finished but wrote no result at ${path}`, undefined, {
      cause: err,
    });
  }
  const r = JSON.parse(raw) as Partial<TrainResult>;
  if (typeof r.adapterDir !== "string" || typeof r.steps !== "number" || typeof r.finalLoss !== "number") {
    throw new IsaraError("internal", `the trainer's result at ${path} lacks adapterDir, steps or finalLoss`);
  }
  return {
    adapterDir: r.adapterDir,
    ...(typeof r.ggufAdapterPath === "string" ? { ggufAdapterPath: r.ggufAdapterPath } : {}),
    steps: r.steps,
    finalLoss: r.finalLoss,
    losses: Array.isArray(r.losses) ? r.losses.filter((x): x is number => typeof x === "number") : [],
  };
}
