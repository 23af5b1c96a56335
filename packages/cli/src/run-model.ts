import { readFile, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { runFolder } from "@isara/contracts";
import { IsaraError } from "@isara/core";

/**
 * The base model file a run folder was started with. A run resumed on another model would mix two
 * models in one run: round 1's samples written by one, round 2's by another, adapters trained on one
 * applied to the other, and `metrics.json` naming only the last. The file's name and size tell two
 * GGUF files apart without reading hundreds of megabytes on every start.
 */
export interface RunModelRecord {
  /** The GGUF's file name. */
  readonly file: string;
  readonly bytes: number;
}

/**
 * The record of the model file at `modelPath`.
 * @throws IsaraError `not_found` when there is no such file.
 */
export async function runModelRecord(modelPath: string): Promise<RunModelRecord> {
  const info = await stat(modelPath).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new IsaraError(
      "not_found",
      `the model ${modelPath} does not exist; check --model (the default model is fetched by 'make setup')`,
    );
  }
  return { file: basename(modelPath), bytes: info.size };
}

/** Writes `record` into the run folder `runDir`. */
export async function writeRunModel(runDir: string, record: RunModelRecord): Promise<void> {
  await writeFile(join(runDir, runFolder.model), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Refuses to resume the run in `runDir` on another model than it started with, naming both and the
 * fix. A run folder made before runs recorded their model gets the record now (what it started with
 * cannot be known any more).
 * @throws IsaraError `invalid_argument` when `modelPath` is not the recorded model.
 */
export async function checkRunModel(runDir: string, modelPath: string): Promise<void> {
  const now = await runModelRecord(modelPath);
  const text = await readFile(join(runDir, runFolder.model), "utf8").catch(() => undefined);
  if (text === undefined) return writeRunModel(runDir, now);
  const started = JSON.parse(text) as RunModelRecord;
  if (started.file !== now.file || started.bytes !== now.bytes) {
    throw new IsaraError(
      "invalid_argument",
      `the run in ${runDir} was started with the model ${started.file} (${started.bytes} bytes), not ${now.file} ` +
        `(${now.bytes} bytes); pass --model <that file> to resume it, or give another --run-dir to start a new run on this model`,
    );
  }
}
