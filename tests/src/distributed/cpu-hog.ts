/**
 * A competing CPU load, like the low-priority build that was using spare CPU when the fault test
 * failed on a fresh 2-core machine: one busy-looping process per core, niced so they take only what
 * the stack leaves, yet enough to stretch every timeout and retry budget. The fault test and the chaos
 * benchmark run beside it, so a timing assumption that only holds on an idle machine shows up here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism, setPriority } from "node:os";

/** Competing load that is running until {@link CpuHog.stop}. */
export interface CpuHog {
  /** PIDs of the busy processes. */
  readonly pids: readonly number[];
  /** Kills every busy process and waits until each has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `processes` busy loops (default: one per core) at nice `niceness` (default 10). Each one
 * also exits by itself after `maxSeconds` (default one hour), so a crashed test cannot leave load
 * behind.
 */
export function startCpuHog(
  options: { processes?: number; niceness?: number; maxSeconds?: number } = {},
): CpuHog {
  const count = options.processes ?? availableParallelism();
  const maxMs = (options.maxSeconds ?? 3600) * 1000;
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      [
        "-e",
        `const end = Date.now() + ${maxMs}; let x = 0; while (Date.now() < end) x = (x * 31 + 7) % 1e9;`,
      ],
      { stdio: "ignore" },
    );
    if (child.pid !== undefined) setPriority(child.pid, options.niceness ?? 10);
    children.push(child);
  }
  return {
    pids: children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
    stop: async () => {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once("exit", () => resolve());
              c.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}
