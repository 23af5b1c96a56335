/**
 * The controller's runs: every run in memory (loaded from the run folders at start), one queue per
 * run, and the operations the gRPC service and the result consumer call — create, apply a result or
 * failure, cancel, read, watch. Runs are independent: each has its own queue, so a run busy
 * publishing a large phase or waiting on the disk never delays another run's results.
 */
import { randomBytes } from "node:crypto";
import type { RunStatus } from "@isara/contracts";
import {
  type RunStatus as CoreRunStatus,
  checkFilterPorts,
  createRunState,
  IsaraError,
  seedSamples,
} from "@isara/core";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from "@isara/kafka-kit";
import { childLogger } from "@isara/kit";
import { type DomainSources, loadDomain } from "./domain-source.js";
import { KeyedQueue } from "./keyed-queue.js";
import type { Incoming } from "./result-intake.js";
import { createRunDriver, type RowOutcome, type RunDriverDeps } from "./run-driver.js";
import { loadRunEntry, type RunEntry } from "./run-entry.js";
import { writeDomainSnapshot } from "./run-outputs.js";
import { controllerKeys, newRunRecord } from "./run-record.js";
import { applyOverrides, type CheckedSpec, generatedRunId, specFingerprint } from "./run-spec.js";
import { runStatusToWire } from "./run-status.js";
import { RunWatchers, type StatusListener } from "./run-watchers.js";
import type { SeedStore } from "./seed-store.js";

/** What the reconciler is built from. */
export interface ReconcilerDeps extends Omit<RunDriverDeps, "onChange"> {
  /** Where CreateRun reads domains from. */
  readonly domains: Omit<DomainSources, "artifacts">;
  /** Base model of runs whose spec names none. */
  readonly defaultBaseModel: string;
  /** Where a new run's seeds are stored (the retrieval service), before its work is published. */
  readonly seeds: SeedStore;
  /**
   * Whether the filtering service has a judge (FILTER_JUDGE). Without one, a run whose filter chain
   * names `judge-score` (in a mode that filters) is refused when it is created, not at round 1's pass.
   */
  readonly filterJudge: boolean;
  /** Random hex for generated run ids (default: 4 random bytes). */
  readonly randomHex?: () => string;
  /**
   * Backoff of a run's work that could not be published (Kafka away) when the run was created or
   * resumed; `attempts` is ignored: it is published again until it goes out (default: 1 s to 60 s).
   */
  readonly pendingRetry?: RetryPolicy;
  /**
   * A released slot without a result this long is published again (its message was lost, or its
   * worker never answered); 0 turns the check off. Checked every quarter of it, from `load` on.
   */
  readonly stallTimeoutMs?: number;
}

/** What a result did: its run's outcome, or `unknown_run` for a run this controller does not hold. */
export type ApplyOutcome = RowOutcome | "failed" | "unknown_run";

/** What {@link Reconciler.load} found. */
export interface LoadReport {
  readonly loaded: number;
  readonly resumed: number;
  /** Runs whose folders cannot be read, with the reason; they are left alone. */
  readonly broken: readonly { readonly runId: string; readonly reason: string }[];
}

/** The controller's runs and their reconcile operations. */
export class Reconciler {
  private readonly runs = new Map<string, RunEntry>();
  private readonly broken = new Map<string, string>();
  private readonly queue = new KeyedQueue();
  private readonly watchers = new RunWatchers();
  private readonly driver;
  /** Runs whose work waits for Kafka, and the timer of their next publish. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private stallTimer: NodeJS.Timeout | undefined;

  private readonly deps: ReconcilerDeps;

  constructor(deps: ReconcilerDeps) {
    this.deps = { ...deps, logger: childLogger(deps.logger, { component: "reconciler" }) };
    this.driver = createRunDriver({ ...this.deps, onChange: (entry) => this.changed(entry) });
  }

  /** Loads every run folder and resumes each running run (publishing its outstanding work). */
  async load(): Promise<LoadReport> {
    const ids = await this.deps.runStore.list();
    for (const runId of ids) {
      try {
        this.runs.set(runId, await loadRunEntry(runId, this.deps));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        this.broken.set(runId, reason);
        this.deps.logger.error({ err, run: runId }, "run folder cannot be loaded; the run is left alone");
      }
    }
    const running = [...this.runs.values()].filter((e) => e.state.status === "running");
    await Promise.all(
      running.map((entry) =>
        this.queue
          .run(entry.state.runId, () => this.driver.drive(entry, true))
          .catch((err: unknown) => {
            this.deps.logger.error(
              { err, run: entry.state.runId },
              "resuming the run failed; it resumes on its next result, or when its work goes out",
            );
            this.retryPendingWork(entry.state.runId, err);
          }),
      ),
    );
    const broken = [...this.broken].map(([runId, reason]) => ({ runId, reason }));
    this.watchForStalls();
    return { loaded: this.runs.size, resumed: running.length, broken };
  }

  /**
   * Publishes again, in each running run's queue, the work that has waited `stallTimeoutMs` for a
   * result (see {@link RunDriver.republishStalled}); resolves with how many messages went out.
   * Called by the periodic check; a test calls it directly.
   */
  async republishStalled(): Promise<number> {
    const timeoutMs = this.deps.stallTimeoutMs ?? 0;
    if (timeoutMs <= 0) return 0;
    const running = [...this.runs.values()].filter((e) => e.state.status === "running");
    const sent = await Promise.all(
      running.map((entry) =>
        this.queue
          .run(entry.state.runId, () => this.driver.republishStalled(entry, timeoutMs))
          .catch((err: unknown) => {
            this.deps.logger.warn({ err, run: entry.state.runId }, "stalled work not published; next check");
            return 0;
          }),
      ),
    );
    return sent.reduce((a, b) => a + b, 0);
  }

  private watchForStalls(): void {
    const timeoutMs = this.deps.stallTimeoutMs ?? 0;
    if (timeoutMs <= 0 || this.stallTimer !== undefined || this.stopped) return;
    const every = Math.max(1000, Math.floor(timeoutMs / 4));
    this.stallTimer = setInterval(() => void this.republishStalled(), every);
    this.stallTimer.unref();
  }

  /**
   * Creates a run from a checked spec, or returns the existing run with the same id and spec.
   * Nothing is stored unless the domain and overrides validate; the run exists (its state is saved
   * and its first work published) only once its seeds are stored in the retrieval service.
   * @throws IsaraError `invalid_argument` (domain or overrides), `not_found` (domain), `conflict`
   *   (the id is taken by another spec), `failed_precondition` (the id's folder cannot be read, or
   *   the chain needs a judge the filtering service lacks: core's `checkFilterPorts`),
   *   `unavailable` (retrieval or Kafka down: the same CreateRun again later completes it).
   */
  async create(spec: CheckedSpec, requestId: string): Promise<{ run: RunStatus; created: boolean }> {
    const runId =
      spec.runId ?? generatedRunId(spec.domain, this.deps.randomHex?.() ?? randomBytes(4).toString("hex"));
    const existing = this.existing(runId, spec);
    if (existing !== undefined) {
      await this.queue.run(runId, () => this.driver.drive(existing, false));
      return { run: this.status(existing), created: false };
    }
    const loaded = await loadDomain(
      { name: spec.domain, source: spec.source },
      { ...this.deps.domains, artifacts: this.deps.artifacts },
    );
    const domain = applyOverrides(loaded.domain, spec.overrides);
    // The filtering service's ports as this deployment declares them: the judge is its, not ours.
    checkFilterPorts(domain.config, spec.mode, { judge: this.deps.filterJudge ? true : undefined });
    return this.queue.run(runId, async () => {
      const raced = this.existing(runId, spec);
      if (raced !== undefined) return { run: this.status(raced), created: false };
      const { artifacts, runStore, clock } = this.deps;
      const record = newRunRecord({
        runId,
        spec,
        baseModel: spec.overrides.baseModel ?? this.deps.defaultBaseModel,
        createdAt: new Date(clock.now()),
        correlationId: requestId,
      });
      await writeDomainSnapshot(artifacts, runId, domain, loaded.texts);
      await artifacts.write(controllerKeys(runId).record, `${JSON.stringify(record, null, 2)}\n`);
      // Seeds first: the run exists (state saved) only once its set 0 can be retrieved.
      const context = { run: runId, domain: spec.domain, round: 0, correlationId: requestId };
      await this.deps.seeds.storeSeeds(context, seedSamples(runId, spec.domain, domain.seeds));
      const state = createRunState({ runId, config: domain.config, mode: spec.mode });
      await runStore.save(runId, state);
      const entry: RunEntry = {
        record,
        domain,
        state,
        progress: undefined,
        trainRows: new Map(),
        phaseStartedAt: undefined,
        workPending: true,
        window: undefined,
      };
      this.runs.set(runId, entry);
      this.deps.logger.info({ run: runId, domain: spec.domain, mode: spec.mode, requestId }, "run created");
      try {
        await this.driver.drive(entry, true);
      } catch (err) {
        // The run exists (its state is saved); its first work goes out once Kafka is back, even if
        // the client never sends this CreateRun again.
        this.retryPendingWork(runId, err);
        throw err;
      }
      return { run: this.status(entry), created: true };
    });
  }

  private existing(runId: string, spec: CheckedSpec): RunEntry | undefined {
    const reason = this.broken.get(runId);
    if (reason !== undefined) {
      throw new IsaraError(
        "failed_precondition",
        `run ${runId} exists but its folder cannot be read (${reason}); choose another run id`,
      );
    }
    const entry = this.runs.get(runId);
    if (entry === undefined) return undefined;
    const held = entry.record.spec;
    if (specFingerprint(held) !== specFingerprint(spec)) {
      throw new IsaraError(
        "conflict",
        `run ${runId} already exists with another spec (domain ${held.domain}, mode ${held.mode}); ` +
          "give the new run another id, or send the same spec to get the existing run",
        { runId },
      );
    }
    return entry;
  }

  /** Applies a result or failure read from Kafka to its run. */
  async apply(incoming: Incoming): Promise<ApplyOutcome> {
    const run = incoming.kind === "row" ? incoming.context.run : incoming.run;
    const entry = this.runs.get(run);
    if (entry === undefined) return "unknown_run";
    if (incoming.kind === "row" && incoming.context.domain !== entry.state.domain) {
      throw new IsaraError(
        "invalid_argument",
        `a ${incoming.phase} result names run ${run} with domain "${incoming.context.domain}", but the run is of domain "${entry.state.domain}"`,
      );
    }
    try {
      return await this.queue.run(run, () =>
        incoming.kind === "row"
          ? this.driver.applyRow(entry, incoming)
          : this.driver.applyFailure(entry, incoming),
      );
    } catch (err) {
      // The result is retried by its consumer too; the run's pending work also goes out by itself
      // once Kafka is back, should that result never come again.
      this.retryPendingWork(run, err);
      throw err;
    }
  }

  /**
   * Cancels a running or failed run; a cancelled run is returned unchanged.
   * @throws IsaraError `not_found` for an unknown run, `failed_precondition` for a finished one.
   */
  async cancel(runId: string, reason: string, requestId: string): Promise<RunStatus> {
    const entry = this.entry(runId);
    return this.queue.run(runId, async () => {
      if (entry.state.status === "cancelled") return this.status(entry);
      if (entry.state.status === "done") {
        throw new IsaraError(
          "failed_precondition",
          `run ${runId} is done (${entry.state.stopReason ?? ""}); there is nothing to cancel`,
        );
      }
      await this.driver.cancel(entry, requestId);
      this.deps.logger.info({ run: runId, requestId, reason }, "run cancelled");
      return this.status(entry);
    });
  }

  /**
   * Resumes a failed run from its last completed step: core's `resumed` event (published, keyed by
   * the request), then the failed step's missing work goes out again. A running run is returned
   * unchanged, so a retried RetryRun is harmless.
   * @throws IsaraError `not_found` for an unknown run, `failed_precondition` for a done or cancelled
   *   one, `unavailable` when Kafka is away (the run is then running and its work goes out once
   *   Kafka is back).
   */
  async retry(runId: string, reason: string, requestId: string): Promise<RunStatus> {
    const entry = this.entry(runId);
    return this.queue.run(runId, async () => {
      if (entry.state.status === "running") return this.status(entry);
      if (entry.state.status !== "failed") {
        throw new IsaraError(
          "failed_precondition",
          `run ${runId} is ${entry.state.status}; only a failed run can be retried (start a new run instead)`,
        );
      }
      const error = entry.state.error;
      try {
        await this.driver.resume(entry, requestId);
      } catch (err) {
        this.retryPendingWork(runId, err);
        throw err;
      }
      this.deps.logger.info(
        { run: runId, requestId, reason, failedWith: error?.message },
        "failed run resumed",
      );
      return this.status(entry);
    });
  }

  /**
   * The run held under `runId`.
   * @throws IsaraError `not_found` for an id this controller does not hold.
   */
  entry(runId: string): RunEntry {
    const entry = this.runs.get(runId);
    if (entry !== undefined) return entry;
    const reason = this.broken.get(runId);
    if (reason !== undefined)
      throw new IsaraError("failed_precondition", `run ${runId} cannot be read: ${reason}`);
    throw new IsaraError("not_found", `there is no run "${runId}"; ListRuns shows the runs`);
  }

  /** The wire status of a run. */
  status(entry: RunEntry): RunStatus {
    return runStatusToWire(entry.state, entry.progress, entry.domain.eval.length);
  }

  /** Every run, newest first (ties by id). */
  list(): RunEntry[] {
    return [...this.runs.values()].sort(
      (a, b) =>
        b.record.createdAt.localeCompare(a.record.createdAt) || a.state.runId.localeCompare(b.state.runId),
    );
  }

  /** Runs per lifecycle, for the metrics gauge. */
  countByStatus(): Record<CoreRunStatus, number> {
    const counts = { running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const entry of this.runs.values()) counts[entry.state.status]++;
    return counts;
  }

  /** Adds a watcher of `runId`'s status changes; returns the function that removes it. */
  watch(runId: string, listener: StatusListener): () => void {
    return this.watchers.subscribe(runId, listener);
  }

  /** Resolves once every queued task of every run has settled (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Shutdown: stops publishing pending work again, then waits for every queued task to settle. */
  close(): Promise<void> {
    this.stopped = true;
    if (this.stallTimer !== undefined) clearInterval(this.stallTimer);
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    return this.queue.idle();
  }

  /**
   * After a retryable failure to publish a run's work (`entry.workPending`, e.g. Kafka away while
   * the run was created, resumed or moved to its next phase by a result), publishes it again with
   * backoff until it goes out, so the run never waits for a result that no work will produce. A result of the run meanwhile drives it too;
   * the timer then finds nothing pending and stops.
   */
  private retryPendingWork(runId: string, err: unknown, attempt = 1): void {
    const entry = this.runs.get(runId);
    const retryable = err instanceof IsaraError && err.retryable;
    if (this.stopped || !retryable || entry === undefined || !entry.workPending || this.pending.has(runId))
      return;
    const delayMs = retryDelayMs(this.deps.pendingRetry ?? DEFAULT_RETRY_POLICY, attempt);
    const timer = setTimeout(() => {
      this.pending.delete(runId);
      if (this.stopped || !entry.workPending || entry.state.status !== "running") return;
      this.queue
        .run(runId, () => this.driver.drive(entry, false))
        .then(
          () => this.deps.logger.info({ run: runId, attempt }, "the run's pending work is published"),
          (again: unknown) => {
            this.deps.logger.warn(
              { err: again, run: runId, attempt },
              "the run's work is still not published; trying again",
            );
            this.retryPendingWork(runId, again, attempt + 1);
          },
        );
    }, delayMs);
    timer.unref();
    this.pending.set(runId, timer);
  }

  private changed(entry: RunEntry): void {
    if (this.watchers.watched(entry.state.runId)) this.watchers.notify(entry.state.runId, this.status(entry));
  }
}
