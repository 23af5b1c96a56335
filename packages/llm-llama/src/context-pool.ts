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
  /** Requests waiting for an adapter slot to free. */
  #waitingForRoom = 0;
  #closed = false;

  constructor(create: ContextFactory, shape: PoolShape) {
    this.#create = create;
    this.#shape = shape;
  }

  /** A fresh sequence on a context of `adapterPath`, making (or waiting for) contexts as needed. */
  async lease(adapterPath: string | undefined, signal?: AbortSignal): Promise<SequenceLease> {
    const group = await this.#group(adapterPath, signal);
    let lane: Lane | undefined;
    try {
      this.#ensureOpen();
      const taken = this.#pickLane(group);
      lane = taken;
      taken.busy++;
      const context = await taken.context;
      this.#ensureOpen();
      const sequence = context.getSequence();
      return { sequence, release: () => this.#release(group, taken, sequence) };
    } catch (err) {
      group.users--;
      if (lane !== undefined) {
        lane.busy--;
        // A lane whose context failed to build is dropped; a working one stays (close() disposes it).
        if (await failed(lane.context)) this.#dropLane(group, lane);
      }
      if (group.lanes.length === 0 && group.users === 0 && this.#groups.get(group.key) === group) {
        this.#groups.delete(group.key);
      }
      this.#wake();
      throw err;
    }
  }

  #dropLane(group: Group, lane: Lane): void {
    const at = group.lanes.indexOf(lane);
    if (at >= 0) group.lanes.splice(at, 1);
  }

  /** Closes every context; later leases fail. Callers must have released their sequences first. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    await Promise.all(groups.map((g) => disposeGroup(g)));
  }

  /**
   * The group of `key`, made room for if needed. While a request waits for room, new requests for
   * adapters that have contexts wait too, so busy adapters drain and the waiting one gets its turn
   * instead of starving behind a steady stream of work for the others.
   */
  async #group(key: string | undefined, signal: AbortSignal | undefined): Promise<Group> {
    let waitingForRoom = false;
    try {
      for (;;) {
        this.#ensureOpen();
        if (signal?.aborted) throw cancelledError(signal);
        const existing = this.#groups.get(key);
        if (existing !== undefined && (waitingForRoom || this.#waitingForRoom === 0))
          return this.#claim(existing);
        if (existing === undefined && this.#groups.size < this.#shape.maxAdapters)
          return this.#claim(this.#add(key));
        const idle = existing === undefined ? this.#leastRecentlyUsedIdle() : undefined;
        if (idle !== undefined) {
          // Take the freed place at once, so no request racing in while the old contexts close gets it.
          this.#groups.delete(idle.key);
          const group = this.#claim(this.#add(key));
          await disposeGroup(idle);
          return group;
        }
        if (existing === undefined && !waitingForRoom) {
          waitingForRoom = true;
          this.#waitingForRoom++;
        }
        await this.#nextChange(signal);
      }
    } finally {
      if (waitingForRoom) {
        this.#waitingForRoom--;
        this.#wake();
      }
    }
  }

  /** Counts a user on `group` at once, before any await, so it cannot be evicted as idle meanwhile. */
  #claim(group: Group): Group {
    group.users++;
    group.lastUsed = ++this.#tick;
    return group;
  }

  #add(key: string | undefined): Group {
    const group: Group = { key, lanes: [], users: 0, lastUsed: 0 };
    this.#groups.set(key, group);
    return group;
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

function failed(context: Promise<LlamaContext>): Promise<boolean> {
  return context.then(
    () => false,
    () => true,
  );
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
