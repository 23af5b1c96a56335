/**
 * Who watches which run (WatchRun streams): a listener per stream, told the run's status after each
 * change. In-process only: the gateway relays these WatchRun streams to its clients as server-sent events.
 */
import type { RunStatus } from "@isara/contracts";

/** Receives a run's status after each change. */
export type StatusListener = (status: RunStatus) => void;

/** The watchers of every run. */
export class RunWatchers {
  private readonly byRun = new Map<string, Set<StatusListener>>();

  /** Adds `listener` for `runId`; returns the function that removes it. */
  subscribe(runId: string, listener: StatusListener): () => void {
    const set = this.byRun.get(runId) ?? new Set<StatusListener>();
    set.add(listener);
    this.byRun.set(runId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byRun.get(runId) === set) this.byRun.delete(runId);
    };
  }

  /** `true` when someone watches `runId` (so the status need not be built otherwise). */
  watched(runId: string): boolean {
    return this.byRun.has(runId);
  }

  /** Tells every watcher of `runId`; a listener that throws does not stop the others. */
  notify(runId: string, status: RunStatus): void {
    for (const listener of [...(this.byRun.get(runId) ?? [])]) {
      try {
        listener(status);
      } catch {
        // a watcher whose stream broke is removed by its own cancel handler
      }
    }
  }

  /** Watch streams open, for metrics and tests. */
  get size(): number {
    let n = 0;
    for (const set of this.byRun.values()) n += set.size;
    return n;
  }
}
