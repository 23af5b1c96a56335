/**
 * The domain snapshots of the runs a stage works for, read once per run. A run's snapshot
 * (`<run>/domain/`, written by the controller when the run starts, after it validated the domain and
 * applied the run's overrides) does not change for the run's life, and it is where every stage reads
 * the run's settings: work messages carry the run's identity and keys, not copies of its settings.
 * Filtering needs its filter chain and seeds every round, generation its sampling and token budget
 * every slot, training-dispatch its trainer settings and seeds every round. So each run's snapshot is
 * read and parsed on its first use and kept, and later work reads nothing else of it. One cache for
 * every stage, so they all agree on how a snapshot is read, kept and refused.
 */
import type { ArtifactStore, Domain, FilterRegistry } from "@isara/core";
import { loadRunDomain } from "./run-domain.js";

/** The snapshots of recent runs (see the module comment). */
export interface RunDomains {
  /**
   * The domain of `run`, read on the run's first call (see {@link loadRunDomain} for what it throws);
   * a failed read is not kept, so the next message tries again.
   */
  get(run: string, domain: string): Promise<Domain>;
}

/** Options of {@link createRunDomains}. */
export interface RunDomainsOptions {
  /**
   * The registry the snapshots' filter chains are checked against (default core's): the filtering
   * service passes the one it builds chains from.
   */
  readonly filterRegistry?: FilterRegistry;
  /** Runs kept, least recently used dropped first (default 64): a long-lived service sees many runs. */
  readonly capacity?: number;
}

/** A per-run cache of domain snapshots over `artifacts` (see the module comment). */
export function createRunDomains(artifacts: ArtifactStore, options: RunDomainsOptions = {}): RunDomains {
  const capacity = options.capacity ?? 64;
  const loaded = new Map<string, Promise<Domain>>();
  const parseOptions = { filters: options.filterRegistry };
  return {
    get(run, domain) {
      // The domain is part of the key: a message that names another domain than the run's is refused
      // by loadRunDomain, never answered from the cache.
      const key = JSON.stringify([run, domain]);
      const hit = loaded.get(key);
      if (hit !== undefined) {
        loaded.delete(key);
        loaded.set(key, hit);
        return hit;
      }
      const pending = loadRunDomain(artifacts, run, domain, parseOptions);
      loaded.set(key, pending);
      pending.catch(() => {
        if (loaded.get(key) === pending) loaded.delete(key);
      });
      while (loaded.size > capacity) {
        const oldest = loaded.keys().next().value;
        if (oldest === undefined) break;
        loaded.delete(oldest);
      }
      return pending;
    },
  };
}
