/**
 * `<dir>/stack.json`: what the stack runs, so `make down` and `isara-stack status` in a later process
 * can find it: the broker, every service's plan (command, environment, ports) with its current PID
 * and state, and the supervisor that restarts crashed services. Rewritten atomically after every
 * change (start, exit, restart), so a stack that failed half-way up can still be brought down.
 *
 * One process writes it at a time: `up` before it hands over to the supervisor, then the supervisor
 * (or, for a stack inside a test, the test's process).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IsaraError } from "@isara/core";
import type { ProcessRecord } from "./process-record.js";
import type { RestartPolicy } from "./restart-backoff.js";
import type { ServicePorts } from "./stack-plan.js";
import type { ProcessSpec } from "./supervisor.js";

/** One service: how to run it, where it listens, and what became of it. */
export interface StackService extends ProcessRecord {
  readonly spec: ProcessSpec;
  readonly ports: ServicePorts;
}

/** The detached process that runs the services of `make up` and restarts crashed ones. */
export interface SupervisorRecord {
  readonly pid: number;
  /** Its start time from `/proc`, to tell it from a reused PID; null where unknown. */
  readonly startTime: string | null;
  /**
   * starting: bringing the services up in order; up: all were ready once, crashed ones are restarted;
   * failed: a service did not come up (`error`), everything it started was stopped; stopped: `down`
   * told it to stop (the services are stopped next).
   */
  readonly phase: "starting" | "up" | "failed" | "stopped";
  readonly error: string | null;
}

/** The saved state of a stack. */
export interface StackFile {
  readonly version: 2;
  /** Broker started by the stack (`dataDir` set) or given to it (`dataDir` null: not ours to stop). */
  readonly kafka: { readonly bootstrap: string; readonly dataDir: string | null };
  readonly gatewayUrl: string;
  readonly tenant: string;
  /** File holding the gateway token of `tenant` (mode 600). */
  readonly tokenFile: string;
  /** How crashed services are restarted; null: they are not (a stack inside a test). */
  readonly restart: RestartPolicy | null;
  /** Null until the supervisor starts, and always for a stack that runs inside another process. */
  readonly supervisor: SupervisorRecord | null;
  /** In start order. */
  readonly services: readonly StackService[];
}

/** Path of the stack file in a stack folder. */
export function stackFilePath(dir: string): string {
  return join(dir, "stack.json");
}

/** Writes the stack file (temp file + rename: never half-written; mode 600, it holds environments). */
export function writeStackFile(dir: string, file: StackFile): void {
  const path = stackFilePath(dir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** The stack file with every service's record replaced by the matching one of `records`. */
export function withRecords(file: StackFile, records: readonly ProcessRecord[]): StackFile {
  return {
    ...file,
    services: file.services.map((service) => {
      const record = records.find((r) => r.name === service.name);
      return record === undefined ? service : { ...service, ...record };
    }),
  };
}

/** The stack file of `dir`, or `undefined` when no stack was started there. */
export function readStackFile(dir: string): StackFile | undefined {
  const path = stackFilePath(dir);
  if (!existsSync(path)) return undefined;
  try {
    const file = JSON.parse(readFileSync(path, "utf8")) as StackFile;
    if (file.version !== 2) throw new Error(`version ${String(file.version)}`);
    return file;
  } catch (err) {
    throw new IsaraError(
      "failed_precondition",
      `${path} is not a stack file this version understands (${(err as Error).message}); stop leftover processes by hand and delete it`,
    );
  }
}
