import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { storeError } from "./fs-error.js";

/**
 * The file-system calls an atomic write makes. Production code uses `node:fs/promises`; tests pass
 * a wrapper that fails one call the way a full or read-only disk does (a disk cannot be filled on
 * purpose in a test run).
 */
export interface AtomicWriteFs {
  mkdir: typeof fsp.mkdir;
  open: typeof fsp.open;
  rename: typeof fsp.rename;
  rm: typeof fsp.rm;
}

/** Prefix of the temporary files atomic writes create; readers and listings skip these. */
export const TEMP_PREFIX = ".tmp-";

/**
 * Writes `data` to `path` so that a reader sees either the old content or the new, never a torn file,
 * even across a crash or power loss: the bytes go to a temporary file in the same folder, which is
 * flushed to disk (fsync) and then renamed over `path` (rename is atomic within one file system);
 * finally the folder itself is fsynced so the rename survives a power cut. Parent folders are
 * created as needed. On failure the temporary file is removed, `path` is untouched, and the error
 * is an IsaraError that says what to do (see {@link storeError}).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  fs: AtomicWriteFs = fsp,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}.${randomBytes(6).toString("hex")}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(temp, "wx", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw storeError(err, "write", path);
  }
  await syncDir(dir, fs);
}

/**
 * Flushes a folder's entry list so a completed rename is durable. Some file systems refuse to open
 * or fsync a folder (EISDIR, EINVAL, EPERM); the data file itself is already synced, so those are
 * ignored rather than reported as a failed write.
 */
async function syncDir(dir: string, fs: AtomicWriteFs): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
