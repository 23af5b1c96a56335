import type { Dirent } from "node:fs";
import * as fsp from "node:fs/promises";
import { join, resolve } from "node:path";
import { IsaraError, type RunStore } from "@isara/core";
import { type AtomicWriteFs, TEMP_PREFIX, writeFileAtomic } from "./atomic-write.js";
import { errnoCode, storeError } from "./fs-error.js";

/**
 * Where each run's state file lives under the store folder:
 * - `file-per-run`: `<dir>/<runId>.json` (a folder of state files);
 * - `folder-per-run`: `<dir>/<runId>/state.json` (a folder of run folders, the embedded layout).
 */
export type RunStoreLayout = "file-per-run" | "folder-per-run";

/** How a {@link FileRunStore} finds and checks its files. */
export interface FileRunStoreOptions<S> {
  /** Folder holding the runs; created on the first save. */
  readonly dir: string;
  /**
   * Checks a parsed JSON value and returns it as a state, throwing (ideally an IsaraError saying what
   * is wrong) when it is not one. Used on every load, and on every save to prove the state reads back.
   */
  readonly parse: (json: unknown) => S;
  /** File layout; default `file-per-run`. */
  readonly layout?: RunStoreLayout;
  /** File-system calls for writes; only tests replace it, to simulate a full or read-only disk. */
  readonly fs?: AtomicWriteFs;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const STATE_FILE = "state.json";

/**
 * The RunStore port as one JSON file per run. Saves are atomic (temp file + fsync + rename), so a
 * crash leaves the previous state, never half a file. Every load goes through `parse`, so a corrupt
 * or foreign file is reported with its path and the reason rather than resumed from; and a save
 * refuses to replace a file that exists but does not parse, so a damaged state is never overwritten
 * silently: a person decides whether to restore or delete it.
 */
export class FileRunStore<S> implements RunStore<S> {
  /** Absolute folder holding the runs. */
  readonly dir: string;
  private readonly parse: (json: unknown) => S;
  private readonly layout: RunStoreLayout;
  private readonly fs: AtomicWriteFs;

  constructor(options: FileRunStoreOptions<S>) {
    this.dir = resolve(options.dir);
    this.parse = options.parse;
    this.layout = options.layout ?? "file-per-run";
    this.fs = options.fs ?? fsp;
  }

  /** The state file of `runId` (validated: letters, digits, `.`, `_`, `-`, at most 128 characters). */
  pathOf(runId: string): string {
    if (typeof runId !== "string" || !RUN_ID.test(runId)) {
      throw new IsaraError(
        "invalid_argument",
        `run id ${JSON.stringify(runId)} is not valid: use 1-128 letters, digits, '.', '_' or '-', ` +
          "starting with a letter or digit",
        { runId },
      );
    }
    return this.layout === "file-per-run"
      ? join(this.dir, `${runId}.json`)
      : join(this.dir, runId, STATE_FILE);
  }

  /** The saved state of `runId`, or `undefined` when it was never saved; a corrupt file throws. */
  async load(runId: string): Promise<S | undefined> {
    const path = this.pathOf(runId);
    let text: string;
    try {
      text = await fsp.readFile(path, "utf8");
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw storeError(err, "read", path);
    }
    return this.decode(text, path);
  }

  /** Atomically replaces the state of `runId`, after checking it reads back through `parse`. */
  async save(runId: string, state: S): Promise<void> {
    const path = this.pathOf(runId);
    const text = `${JSON.stringify(state, null, 2)}\n`;
    try {
      this.parse(JSON.parse(text));
    } catch (err) {
      throw new IsaraError(
        "invalid_argument",
        `refusing to save run ${runId}: the state would not load back (${messageOf(err)})`,
        { runId },
        { cause: err },
      );
    }
    await this.load(runId);
    await writeFileAtomic(path, text, this.fs);
  }

  /** Ids of every saved run, sorted; an absent folder means no runs. */
  async list(): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(this.dir, { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return [];
      throw storeError(err, "list", this.dir);
    }
    const ids: string[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      if (this.layout === "file-per-run") {
        const id = entry.name.endsWith(".json") ? entry.name.slice(0, -".json".length) : "";
        if (entry.isFile() && RUN_ID.test(id)) ids.push(id);
      } else if (entry.isDirectory() && RUN_ID.test(entry.name)) {
        const hasState = await fsp.stat(join(this.dir, entry.name, STATE_FILE)).then(
          (s) => s.isFile(),
          () => false,
        );
        if (hasState) ids.push(entry.name);
      }
    }
    return ids.sort();
  }

  private decode(text: string, path: string): S {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw corrupt(path, `it is not valid JSON (${messageOf(err)})`, err);
    }
    try {
      return this.parse(json);
    } catch (err) {
      throw corrupt(path, `it does not hold a valid run state (${messageOf(err)})`, err);
    }
  }
}

function corrupt(path: string, why: string, cause: unknown): IsaraError {
  return new IsaraError(
    "failed_precondition",
    `run state file ${path} cannot be used: ${why}. It was left as it is; restore it from a backup, ` +
      "or move it away to start that run over.",
    { path },
    { cause },
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
