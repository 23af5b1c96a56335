/**
 * `<dir>/stack.json`: what `make up` started (PIDs, ports, the broker's folder), so `make down` and
 * `isara-stack status` in a later process can find and stop it. Written atomically after every
 * process start, so a stack that failed half-way up can still be brought down.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IsaraError } from "@isara/core";
import type { ServiceName, ServicePorts } from "./stack-plan.js";

/** The saved state of a running stack. */
export interface StackFile {
  readonly version: 1;
  /** Broker started by the stack (`dataDir` set) or given to it (`dataDir` null: not ours to stop). */
  readonly kafka: { readonly bootstrap: string; readonly dataDir: string | null };
  readonly gatewayUrl: string;
  readonly tenant: string;
  /** File holding the gateway token of `tenant` (mode 600). */
  readonly tokenFile: string;
  readonly services: Partial<Record<ServiceName, { readonly pid: number; readonly ports: ServicePorts }>>;
}

/** Path of the stack file in a stack folder. */
export function stackFilePath(dir: string): string {
  return join(dir, "stack.json");
}

/** Writes the stack file (temp file + rename: never half-written). */
export function writeStackFile(dir: string, file: StackFile): void {
  const path = stackFilePath(dir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The stack file of `dir`, or `undefined` when no stack was started there. */
export function readStackFile(dir: string): StackFile | undefined {
  const path = stackFilePath(dir);
  if (!existsSync(path)) return undefined;
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as StackFile;
    if (file.version !== 1) throw new Error(`version ${String(file.version)}`);
    return file;
  } catch (err) {
    throw new IsaraError(
      "failed_precondition",
      `${path} is not a stack file this version understands (${(err as Error).message}); stop leftover processes by hand and delete it`,
    );
  }
}
