/**
 * Kills the servers a test process leaves behind — a test that crashed or never reached its `after`
 * hook — when that process exits, so a failed run does not leave an API server or a service holding
 * ports and CPU for the next one. One registry for every child-process server the kit starts.
 */
import type { ChildProcess } from "node:child_process";

/** How to kill: the child alone, or its whole process group (a child started `detached`). */
export type ReapScope = "process" | "group";

const live = new Map<ChildProcess, ReapScope>();
let hooked = false;

function reap(child: ChildProcess, scope: ReapScope): void {
  try {
    if (scope === "group" && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    else child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Kills `child` (or its process group) when this process exits, unless {@link forgetOnExit} came first. */
export function killOnExit(child: ChildProcess, scope: ReapScope = "process"): void {
  live.set(child, scope);
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const [c, s] of live) reap(c, s);
  });
}

/** Stops watching `child`: it has exited or was stopped on purpose. */
export function forgetOnExit(child: ChildProcess): void {
  live.delete(child);
}
