import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { runFolder } from "@isara/contracts";
import {
  type Closeable,
  type DomainConfig,
  IsaraError,
  parseRunState,
  planFor,
  type RunMode,
  type RunState,
  type SampleJudge,
} from "@isara/core";
import type { EmbeddedPorts } from "@isara/embedded";
import { defaultEmbedderDir, openLocalEmbedder } from "@isara/embedder-local";
import { createSampleJudge } from "@isara/evaluators";
import { packageRootOf } from "@isara/kit";
import { createLlmBackend } from "@isara/llm-backends";
import { defaultModelPath } from "@isara/llm-llama";
import { FileRunStore, FsArtifactStore } from "@isara/store-fs";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { checkTrainableBaseModel, createSubprocessTrainer } from "@isara/trainer-local";
import { type JudgeOptions, openJudgeChat } from "./judge-options.js";

/** Where the embedded wiring finds its models and the trainer. */
export interface WiringOptions {
  readonly modelPath: string;
  readonly embedderDir: string;
  readonly python: string;
  readonly parallel: number;
  readonly threads?: number | undefined;
  /** A judge for the `judge-score` filter; without one a chain that names it is refused. */
  readonly judge?: JudgeOptions | undefined;
}

/** The repository root: two folders above this package (`packages/cli`). */
export function repoRoot(): string {
  return resolve(packageRootOf(import.meta.url), "../..");
}

/** Defaults: the models fetched by `make setup` into the cache, the trainer's own environment. */
export function defaultWiring(): Pick<WiringOptions, "modelPath" | "embedderDir" | "python"> {
  return {
    modelPath: defaultModelPath(),
    embedderDir: defaultEmbedderDir(),
    python: process.env.ISARA_TRAINER_PYTHON ?? join(repoRoot(), "services/trainer/.venv/bin/python"),
  };
}

/**
 * Opens every adapter of the embedded mode for one run folder: llama.cpp for generation and token
 * counts (loaded by `@isara/llm-backends`, as the services load theirs), the packaged sentence
 * encoder, LanceDB inside the run folder, the Python trainer as a subprocess, and the run folder
 * itself for state and artifacts. What opened is closed again when a later adapter fails to open,
 * so a missing model leaves no process or file handle behind.
 */
export async function openEmbeddedPorts(
  runDir: string,
  o: WiringOptions,
  log: (message: string) => void,
): Promise<EmbeddedPorts & Closeable> {
  if (!existsSync(o.python)) {
    throw new IsaraError(
      "not_found",
      `the trainer's Python environment is missing (${o.python}); run 'make setup' or pass --python`,
    );
  }
  const opened: Closeable[] = [];
  const closeAll = async () => {
    for (const c of opened.reverse()) await c.close().catch(() => {});
  };
  try {
    const artifacts = new FsArtifactStore({ root: runDir });
    const { llm, tokenizer } = await createLlmBackend(
      {
        backend: "llama",
        modelPath: o.modelPath,
        modelId: undefined,
        parallelism: o.parallel,
        ...(o.threads ? { threads: o.threads } : {}),
        // No per-completion deadline: a person watches an embedded run, and a slow CPU is not a failure.
        timeoutMs: undefined,
      },
      artifacts,
    );
    opened.push(llm);
    const embedder = await openLocalEmbedder({ modelDir: o.embedderDir });
    opened.push(embedder);
    const store = await openLanceVectorStore({
      dir: join(runDir, runFolder.vectors),
      dimension: embedder.dimension,
    });
    opened.push(store);
    const trainer = createSubprocessTrainer({
      python: o.python,
      cwd: join(repoRoot(), "services/trainer"),
      onLog: (line) => {
        if (/error|warn/i.test(line)) log(`trainer: ${line}`);
      },
    });
    opened.push(trainer);
    let judge: SampleJudge | undefined;
    if (o.judge) {
      const chat = openJudgeChat(o.judge);
      opened.push(chat);
      judge = createSampleJudge({ chat });
    }
    return {
      ...(judge ? { judge } : {}),
      llm,
      tokenizer,
      embedder,
      store,
      trainer,
      artifacts,
      runStore: new FileRunStore<RunState>({
        dir: dirname(runDir),
        layout: "folder-per-run",
        parse: parseRunState,
      }),
      clock: { now: () => Date.now() },
      baseModel: o.modelPath,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Refuses, before anything runs, an embedded run whose training llama.cpp could not generate with,
 * instead of letting generation and evaluation after training silently use the base model: a base
 * model of an architecture the trainer cannot export GGUF LoRA adapters for (the message names it
 * and the supported ones), or a full fine-tune (llama.cpp here applies GGUF LoRA adapters only).
 * Runs that never train (`base`, the ICL baselines) may use any model llama.cpp loads.
 */
export function checkTrainingFits(modelPath: string, mode: RunMode, config: DomainConfig): void {
  if (!planFor(mode, config).rounds.some((r) => r.training !== null)) return;
  if (config.training.method !== "lora") {
    throw new IsaraError(
      "invalid_argument",
      `training.method is "${config.training.method}", but the embedded mode generates with llama.cpp, which ` +
        'applies GGUF LoRA adapters only: set training.method to "lora" in domain.json',
    );
  }
  checkTrainableBaseModel(modelPath);
}

/** The run id of a run folder: its name. */
export function runIdOfDir(runDir: string): string {
  return basename(resolve(runDir));
}
