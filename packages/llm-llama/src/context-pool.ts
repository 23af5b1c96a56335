import { IsaraError } from "@isara/core";
import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";
import { cancelledError } from "./abort.js";

/** A sequence lent out by {@link ContextPool.lease}; `release` must be called exactly once. */
export interface SequenceLease {
  readonly sequence: LlamaContextSequence;
  release(): Promise<void>;
}

/** Makes one llama.cpp context (a lane) for an adapter (`undefined` = the base model). */
export type ContextFactory = (adapterPath: string | undefined) => Promise<LlamaContext>;

/** How the pool splits work: `lanes` contexts per adapter, each with `sequencesPerLane` sequences. */
export interface PoolShape {
  readonly lanes: number;
  readonly sequencesPerLane: number;
  /** Most adapters (the base model counts as one) with live contexts at once. */
  readonly maxAdapters: number;
}

interface Lane {
  readonly context: Promise<LlamaContext>;
  busy: number;
}

interface Group {
  readonly key: string | undefined;
  readonly lanes: Lane[];
  users: number;
  lastUsed: number;
}

/**
 * The llama.cpp contexts of every adapter in use. llama.cpp applies LoRA per context, so each adapter
 * gets its own contexts; and each adapter gets up to `lanes` of them, because separate contexts
 * decode concurrently on separate threads, which on small CPUs is far faster than one context
 * spreading a batch over several threads. Lanes are made on first need, least-busy first; at most
 * `maxAdapters` adapters keep contexts, the least recently used idle one is closed to make room, and
 * when all are busy a new adapter waits. A context that fails to build is forgotten, so the next
 * request retries and reports the error again. Callers must bound concurrent leases by
 * `lanes * sequencesPerLane` (the adapter's slots do), so a lease always finds a free sequence.
 */
export class ContextPool {
  readonly #groups = new Map<string | undefined, Group>();
  readonly #create: ContextFactory;
  readonly #shape: PoolShape;
  #wakeups: Array<() => void> = [];
  #tick = 0;
  #closed = false;

  constructor(create: ContextFactory, shape: PoolShape) {
    this.#create = create;
    this.#shape = shape;
  }

  /** Adapters (`undefined` = base model) with live contexts and how many lanes each has, least recently used first. */
  get live(): { readonly adapter: string | undefined; readonly lanes: number }[] {
    return [...this.#groups.values()]
      .sort((a, b) => a.lastUsed - b.lastUsed)
      .map((g) => ({ adapter: g.key, lanes: g.lanes.length }));
  }

  /** A fresh sequence on a context of `adapterPath`, making (or waiting for) contexts as needed. */
  async lease(adapterPath: string | undefined, signal?: AbortSignal): Promise<SequenceLease> {
    const group = await this.#group(adapterPath, signal);
    group.users++;
    group.lastUsed = ++this.#tick;
    const lane = this.#pickLane(group);
    lane.busy++;
    try {
      const context = await lane.context;
      this.#ensureOpen();
      const sequence = context.getSequence();
      return { sequence, release: () => this.#release(group, lane, sequence) };
    } catch (err) {
      lane.busy--;
      group.users--;
      const at = group.lanes.indexOf(lane);
      if (at >= 0) group.lanes.splice(at, 1);
      if (group.lanes.length === 0 && this.#groups.get(group.key) === group) this.#groups.delete(group.key);
      this.#wake();
      throw err;
    }
  }

  /** Closes every context; later leases fail. Callers must have released their sequences first. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    await Promise.all(groups.map((g) => disposeGroup(g)));
  }

  async #group(key: string | undefined, signal: AbortSignal | undefined): Promise<Group> {
    for (;;) {
      this.#ensureOpen();
      if (signal?.aborted) throw cancelledError(signal);
      const existing = this.#groups.get(key);
      if (existing !== undefined) return existing;
      if (this.#groups.size < this.#shape.maxAdapters) {
        const group: Group = { key, lanes: [], users: 0, lastUsed: 0 };
        this.#groups.set(key, group);
        return group;
      }
      const idle = this.#leastRecentlyUsedIdle();
      if (idle === undefined) {
        await this.#nextChange(signal);
      } else {
        this.#groups.delete(idle.key);
        await disposeGroup(idle);
        this.#wake();
      }
    }
  }

  /** The least busy lane, or a new one while the least busy is in use and there is room for more. */
  #pickLane(group: Group): Lane {
    let best: Lane | undefined;
    for (const lane of group.lanes) if (best === undefined || lane.busy < best.busy) best = lane;
    if (best === undefined || (best.busy > 0 && group.lanes.length < this.#shape.lanes)) {
      const lane: Lane = { context: this.#create(group.key), busy: 0 };
      group.lanes.push(lane);
      return lane;
    }
    return best;
  }

  async #release(group: Group, lane: Lane, sequence: LlamaContextSequence): Promise<void> {
    try {
      await sequence.dispose();
    } finally {
      lane.busy--;
      group.users--;
      this.#wake();
    }
  }

  #leastRecentlyUsedIdle(): Group | undefined {
    let best: Group | undefined;
    for (const g of this.#groups.values()) {
      if (g.users === 0 && (best === undefined || g.lastUsed < best.lastUsed)) best = g;
    }
    return best;
  }

  #nextChange(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        if (signal !== undefined) reject(cancelledError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#wakeups.push(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  #wake(): void {
    const wakeups = this.#wakeups;
    this.#wakeups = [];
    for (const wake of wakeups) wake();
  }

  #ensureOpen(): void {
    if (this.#closed)
      throw new IsaraError("unavailable", "the model was closed; create a new one to run completions");
  }
}

async function disposeGroup(group: Group): Promise<void> {
  await Promise.all(
    group.lanes.map(async (lane) => {
      try {
        await (await lane.context).dispose();
      } catch {
        // A context that failed to build has nothing to dispose; its error went to the lease that made it.
      }
    }),
  );
}
