import * as fsp from "node:fs/promises";
import type { AtomicWriteFs } from "../src/atomic-write.js";

/**
 * Test support, not exported from the package: the real `node:fs/promises` calls, except that one
 * step of an atomic write fails with `error`. It stands for a disk that is full or not writable,
 * which a test cannot produce on purpose (and tests run as root, which ignores file permissions).
 */
export function failingFs(step: "mkdir" | "write" | "rename", error: Error): AtomicWriteFs {
  return {
    mkdir: (async (...args: Parameters<typeof fsp.mkdir>) => {
      if (step === "mkdir") throw error;
      return fsp.mkdir(...args);
    }) as typeof fsp.mkdir,
    open: async (...args: Parameters<typeof fsp.open>) => {
      const handle = await fsp.open(...args);
      if (step !== "write" || args[1] !== "wx") return handle;
      return new Proxy(handle, {
        get(target, prop) {
          if (prop === "writeFile") return async () => Promise.reject(error);
          const value: unknown = Reflect.get(target, prop, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    },
    rename: async (...args: Parameters<typeof fsp.rename>) => {
      if (step === "rename") throw error;
      return fsp.rename(...args);
    },
    rm: fsp.rm,
  };
}

/** A real `ENOSPC` error from the kernel (writing to /dev/full), or `undefined` where there is none. */
export async function realDiskFullError(): Promise<Error | undefined> {
  try {
    await fsp.writeFile("/dev/full", "x");
  } catch (err) {
    if (err instanceof Error && (err as NodeJS.ErrnoException).code === "ENOSPC") return err;
  }
  return undefined;
}

/** A permission error shaped exactly like the one Node.js raises for `open` without write access. */
export function permissionError(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EACCES: permission denied, open '${path}'`), {
    code: "EACCES",
    errno: -13,
    syscall: "open",
    path,
  });
}
