import * as fsp from "node:fs/promises";
import { resolve } from "node:path";
import type { ArtifactStore } from "@isara/core";
import { resolveArtifactKey } from "./artifact-key.js";
import { type AtomicWriteFs, writeFileAtomic } from "./atomic-write.js";
import { errnoCode, storeError } from "./fs-error.js";

/** Where an {@link FsArtifactStore} keeps its files. */
export interface FsArtifactStoreOptions {
  /** Root folder (e.g. the run folder); created on the first write. */
  readonly root: string;
  /** File-system calls for writes; only tests replace it, to simulate a full or read-only disk. */
  readonly fs?: AtomicWriteFs;
}

/**
 * The ArtifactStore port over a local folder: each key is a file under the root. Writes are atomic
 * (temp file + fsync + rename), so a crash mid-write leaves the previous artifact, never half of the
 * new one; keys that would leave the root are refused. `locate` gives the absolute path for tools
 * that need a file (the trainer, llama.cpp).
 */
export class FsArtifactStore implements ArtifactStore {
  /** Absolute root folder. */
  readonly root: string;
  private readonly fs: AtomicWriteFs;

  constructor(options: FsArtifactStoreOptions) {
    this.root = resolve(options.root);
    this.fs = options.fs ?? fsp;
  }

  /** Atomically creates or replaces the artifact at `key`, creating folders as needed. */
  async write(key: string, data: string | Uint8Array): Promise<void> {
    await writeFileAtomic(resolveArtifactKey(this.root, key), data, this.fs);
  }

  /** The artifact's bytes, or `undefined` when there is none at `key`. */
  async read(key: string): Promise<Uint8Array | undefined> {
    const path = resolveArtifactKey(this.root, key);
    try {
      const buffer = await fsp.readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (err) {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw storeError(err, "read", path);
    }
  }

  /** `true` when a file (not a folder) exists at `key`. */
  async exists(key: string): Promise<boolean> {
    const path = resolveArtifactKey(this.root, key);
    try {
      return (await fsp.stat(path)).isFile();
    } catch (err) {
      if (errnoCode(err) === "ENOENT" || errnoCode(err) === "ENOTDIR") return false;
      throw storeError(err, "read", path);
    }
  }

  /** Absolute path of `key` (which need not exist yet); refuses keys that leave the root. */
  locate(key: string): string {
    return resolveArtifactKey(this.root, key);
  }
}
