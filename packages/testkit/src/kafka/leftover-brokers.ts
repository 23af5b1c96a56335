import { readFileSync, rmSync } from "node:fs";

/** A broker JVM this process started and has not stopped yet. */
export interface LiveBroker {
  readonly pid: number;
  readonly dataDir: string;
  /** Whether the data folder is a temp folder of ours, to delete along with the JVM. */
  readonly owned: boolean;
}

const live = new Map<number, LiveBroker>();
let hooked = false;

/**
 * Remembers a broker so that, if this process exits while it still runs (a failing test that never
 * reached its `after` hook, an uncaught exception), the JVM is killed on the way out instead of
 * holding a port and half a gigabyte of memory after the tests are gone. The `exit` event only allows
 * synchronous work, hence SIGKILL rather than a graceful stop.
 */
export function killOnExit(broker: LiveBroker): void {
  live.set(broker.pid, broker);
  if (!hooked) {
    hooked = true;
    process.on("exit", killLeftovers);
  }
}

/** Forgets a broker that was stopped properly. */
export function forgetOnExit(pid: number): void {
  live.delete(pid);
}

/**
 * Whether `pid` is a live Kafka broker JVM started on `dataDir` (false for a PID the kernel gave to
 * another process since, and for zombies). Linux only, like the scripts.
 */
export function isBrokerProcess(pid: number, dataDir: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return false;
  }
  return cmdline.includes("kafka.Kafka") && cmdline.includes(dataDir);
}

function killLeftovers(): void {
  for (const broker of live.values()) {
    if (isBrokerProcess(broker.pid, broker.dataDir)) {
      try {
        process.kill(broker.pid, "SIGKILL");
      } catch {
        // Already gone between the check and the kill: nothing left to do.
      }
    }
    if (broker.owned) rmSync(broker.dataDir, { recursive: true, force: true });
  }
  live.clear();
}
