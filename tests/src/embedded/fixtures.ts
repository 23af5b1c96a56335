import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultModelPath } from "@isara/llm-llama";
import { firstSkip, found, missing, type Requirement, repoRoot } from "@isara/testkit";

export const ROOT = repoRoot();
export const CLI = join(ROOT, "packages/cli/dist/main.js");
export const EXAMPLE = join(ROOT, "examples/domains/misconceptions");
export const TRAINER_PYTHON = join(ROOT, "services/trainer/.venv/bin/python");

function file(path: string, what: string, fix: string): Requirement {
  return existsSync(path) ? found(path) : missing(`${what} is missing (${path}); ${fix}`);
}

/** Why the real-model tests cannot run here, or `false` when the model, encoder and trainer are installed. */
export function realStackSkip(): string | false {
  const cache =
    process.env.ISARA_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "", ".cache"), "isara");
  return firstSkip(
    file(defaultModelPath(), "the SmolLM2 GGUF", "run 'make setup' (infra/fetch-models.sh)"),
    file(
      join(cache, "models/all-MiniLM-L6-v2"),
      "the sentence encoder",
      "run 'make setup' (infra/fetch-embedder.sh)",
    ),
    file(TRAINER_PYTHON, "the trainer's Python environment", "run 'make setup' (infra/trainer-env.sh)"),
  );
}

/**
 * A small domain cut from the example one (8 seeds, 4 eval questions, 6 prompts, short generations,
 * one round, 2 training steps), so a whole round with a real model and a real training step fits in
 * a few minutes on 2 cores. `name` and `offset` (first seed and eval line taken) make a second,
 * different domain for tests that run two at once.
 */
export async function writeSmallDomain(name = "small", offset = 0): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "isara-domain-"));
  const config = JSON.parse(await readFile(join(EXAMPLE, "domain.json"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  const lines = async (file: string, n: number) =>
    `${(await readFile(join(EXAMPLE, file), "utf8"))
      .split("\n")
      .filter(Boolean)
      .slice(offset, offset + n)
      .join("\n")}\n`;
  const small = {
    ...config,
    name,
    isara: {
      ...config.isara,
      demos: 4,
      promptsPerRound: 6,
      rounds: 1,
      promptSampling: { maxTokens: 24, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.05 },
      answerSampling: { maxTokens: 24, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.2 },
    },
    training: { ...config.training, batchSize: 8, maxSequenceLength: 96 },
    stop: { minKeptFraction: 0 },
  };
  await writeFile(join(dir, "domain.json"), JSON.stringify(small, null, 2));
  await writeFile(join(dir, "seeds.jsonl"), await lines("seeds.jsonl", 8));
  await writeFile(join(dir, "eval.jsonl"), await lines("eval.jsonl", 4));
  return dir;
}

/** A fresh parent folder for run folders. */
export async function runsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "isara-runs-"));
  await mkdir(dir, { recursive: true });
  return dir;
}

/** A finished CLI process. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running CLI process, with a way to wait for it. */
export interface CliProcess {
  readonly pid: number;
  kill(signal: NodeJS.Signals): void;
  readonly done: Promise<CliResult>;
}

/** Starts `isara <args>` as a child process, as a user would. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: "pipe",
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliResult>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { pid: child.pid ?? -1, kill: (s) => child.kill(s), done };
}

/** Runs `isara <args>` to its end. */
export function runCli(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Resolves once `predicate` holds (polled), or rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Rows of a JSONL file (empty when it does not exist). */
export async function jsonl<T>(path: string): Promise<T[]> {
  if (!existsSync(path)) return [];
  return (await readFile(path, "utf8"))
    .split("\n")
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return [];
      }
    });
}
