/**
 * The controller's runs: every run in memory (loaded from the run folders at start), one queue per
 * run, and the operations the gRPC service and the result consumer call — create, apply a result or
 * failure, cancel, read, watch. Runs are independent: each has its own queue, so a run busy
 * publishing a large phase or waiting on the disk never delays another run's results.
 *
 * Admission (admission.ts): a new run over its tenant's limit of running runs is created `queued`
 * (saved, so it survives a restart) and publishes nothing; when one of the tenant's running runs ends
 * (done, failed, cancelled) the oldest queued run of the tenant starts. Admission decisions of one
 * tenant are taken one at a time, in a task keyed by the tenant in the same queue as the runs (a
 * run's own task never waits for its tenant's, so the two cannot wait on each other); with the
 * tenant's queue full, CreateRun is refused with `resource_exhausted`.
 */
import { randomBytes } from "node:crypto";
import type { RunContext, RunStatus } from "@isara/contracts";
import {
  type RunStatus as CoreRunStatus,
  checkFilterPorts,
  createRunState,
  IsaraError,
  seedSamples,
} from "@isara/core";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryDelayMs } from "@isara/kafka-kit";
import { childLogger } from "@isara/kit";
import { admissionOf, limitsOf, resolveTenant, type TenantLimits, tenantLabel } from "./admission.js";
import { type DomainSources, loadDomain } from "./domain-source.js";
import { KeyedQueue } from "./keyed-queue.js";
import type { Incoming } from "./result-intake.js";
import { createRunDriver, type RowOutcome, type RunDriverDeps } from "./run-driver.js";
import { loadRunEntry, type RunEntry } from "./run-entry.js";
import { writeDomainSnapshot } from "./run-outputs.js";
import { controllerKeys, newRunRecord, tenantOfRecord } from "./run-record.js";
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
  /**
   * Per-tenant limits of running and waiting runs (TENANT_MAX_RUNNING, TENANT_MAX_QUEUED,
   * TENANT_LIMITS); undefined = none (every run starts at once).
   */
  readonly tenantLimits?: TenantLimits;
}

/** Whether `entry` is running (read afresh: a driver call may have changed it). */
const isRunning = (entry: RunEntry): boolean => entry.state.status === "running";

/** The key of a tenant's admission tasks in the run queue (run ids never contain `/`). */
const admissionKey = (tenant: string) => `admission/${tenant}`;

/** What a result did: its run's outcome, or `unknown_run` for a run this controller does not hold. */
export type ApplyOutcome = RowOutcome | "failed" | "unknown_run";

/** What {@link Reconciler.load} found. */
export interface LoadReport {
  readonly loaded: number;
  readonly resumed: number;
  /** Runs waiting for admission (each starts when its tenant has room). */
  readonly queued: number;
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
  private readonly tenantLimits: TenantLimits | undefined;
  /** Tenants whose admission failed (disk away), and the timer of the next try. */
  private readonly admissionRetries = new Map<string, NodeJS.Timeout>();

  private readonly deps: ReconcilerDeps;

  constructor(deps: ReconcilerDeps) {
    this.deps = { ...deps, logger: childLogger(deps.logger, { component: "reconciler" }) };
    this.tenantLimits = deps.tenantLimits;
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
    // Waiting runs keep their places (creation order); those that fit (a limit raised) start now.
    const waiting = [...this.runs.values()].filter((e) => e.state.status === "queued");
    for (const tenant of new Set(waiting.map((e) => this.tenantOf(e)))) {
      this.queueChanged(tenant);
      this.scheduleAdmission(tenant);
    }
    return { loaded: this.runs.size, resumed: running.length, queued: waiting.length, broken };
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
   * A run over its tenant's limit of running runs is created queued: its state is saved and nothing
   * is published until it starts.
   * @throws IsaraError `invalid_argument` (domain or overrides), `not_found` (domain), `conflict`
   *   (the id is taken by another spec or tenant), `failed_precondition` (the id's folder cannot be
   *   read, or the chain needs a judge the filtering service lacks: core's `checkFilterPorts`),
   *   `resource_exhausted` (the tenant's queue is full), `unavailable` (retrieval or Kafka down: the
   *   same CreateRun again later completes it).
   */
  async create(spec: CheckedSpec, requestId: string): Promise<{ run: RunStatus; created: boolean }> {
    const runId =
      spec.runId ??
      generatedRunId(spec.domain, this.deps.randomHex?.() ?? randomBytes(4).toString("hex"), spec.tenant);
    const tenant = resolveTenant(runId, spec.tenant);
    const existing = this.existing(runId, spec, tenant);
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
    // A full queue is refused before anything is written (decided again below, one at a time).
    this.admissionFor(tenant);
    return this.queue.run(runId, async () => {
      const raced = this.existing(runId, spec, tenant);
      if (raced !== undefined) return { run: this.status(raced), created: false };
      const { artifacts, runStore, clock } = this.deps;
      const record = newRunRecord({
        runId,
        spec,
        baseModel: spec.overrides.baseModel ?? this.deps.defaultBaseModel,
        createdAt: new Date(clock.now()),
        correlationId: requestId,
        tenant,
      });
      await writeDomainSnapshot(artifacts, runId, domain, loaded.texts);
      await artifacts.write(controllerKeys(runId).record, `${JSON.stringify(record, null, 2)}\n`);
      // Seeds first: the run exists (state saved) only once its set 0 can be retrieved.
      const context = { run: runId, domain: spec.domain, round: 0, correlationId: requestId };
      await this.deps.seeds.storeSeeds(context, seedSamples(runId, spec.domain, domain.seeds));
      const entry = await this.queue.run(admissionKey(tenant), async () => {
        const queued = this.admissionFor(tenant) === "queue";
        const state = createRunState({ runId, config: domain.config, mode: spec.mode, queued });
        await runStore.save(runId, state);
        const created: RunEntry = {
          record,
          domain,
          state,
          progress: undefined,
          trainRows: new Map(),
          phaseStartedAt: undefined,
          workPending: !queued,
          window: undefined,
        };
        this.runs.set(runId, created);
        return created;
      });
      if (entry.state.status === "queued") {
        this.queueChanged(tenant);
        this.deps.logger.info(
          {
            run: runId,
            domain: spec.domain,
            mode: spec.mode,
            requestId,
            tenant,
            queuePosition: this.queuePosition(entry),
          },
          "run created and queued: its tenant runs as many runs as it may",
        );
        // Room may have come free meanwhile; the oldest waiting runs then start.
        this.scheduleAdmission(tenant);
        return { run: this.status(entry), created: true };
      }
      this.deps.logger.info(
        { run: runId, domain: spec.domain, mode: spec.mode, requestId, tenant },
        "run created",
      );
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

  private existing(runId: string, spec: CheckedSpec, tenant: string): RunEntry | undefined {
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
    const own = this.tenantOf(entry);
    if (own !== tenant) {
      throw new IsaraError(
        "conflict",
        `run ${runId} already exists for ${tenantLabel(own)}, not ${tenantLabel(tenant)}; give the new run another id`,
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
   * Cancels a queued, running or failed run (a queued one leaves its tenant's queue); a cancelled run
   * is returned unchanged.
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
      const wasQueued = entry.state.status === "queued";
      await this.driver.cancel(entry, requestId);
      if (wasQueued) this.queueChanged(this.tenantOf(entry));
      this.deps.logger.info({ run: runId, requestId, reason, wasQueued }, "run cancelled");
      return this.status(entry);
    });
  }

  /**
   * A result for one of this controller's runs that can never be applied (malformed, or refused for
   * good; it goes to `isara.controller.dlq`) fails its run with the reason, so the run's status says
   * what happened instead of the run waiting for a result that will never count (and the stall check
   * republishing work whose answer is refused again). A message naming a run this controller does not
   * hold, or the run with another domain, changes nothing. Results of an earlier round are `stale`.
   */
  async poisoned(
    context: RunContext | undefined,
    source: { readonly topic: string; readonly partition: number; readonly offset: string },
    err: IsaraError,
  ): Promise<ApplyOutcome> {
    if (context === undefined) return "unknown_run";
    const entry = this.runs.get(context.run);
    if (entry === undefined || entry.state.domain !== context.domain) return "unknown_run";
    return this.apply({
      kind: "failure",
      run: context.run,
      round: context.round,
      error: {
        code: err.code,
        message:
          `the controller could not apply a result from ${source.topic} (partition ${source.partition}, ` +
          `offset ${source.offset}; dead-lettered to isara.controller.dlq): ${err.message}`,
      },
      key: `controller-dlq/${source.topic}/${source.partition}/${source.offset}`,
    });
  }

  /**
   * Resumes a failed run from its last completed step: core's `resumed` event (published, keyed by
   * the request), then the failed step's missing work goes out again. A running run is returned
   * unchanged, so a retried RetryRun is harmless. The run was admitted once: it resumes at once, even
   * when its tenant runs as many runs as it may meanwhile.
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
          `run ${runId} is ${entry.state.status}; only a failed run can be retried` +
            (entry.state.status === "queued"
              ? " (it starts when its tenant has room)"
              : " (start a new run instead)"),
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

  /** The wire status of a run (a queued run's with its place in its tenant's queue). */
  status(entry: RunEntry): RunStatus {
    return runStatusToWire(entry.state, entry.progress, entry.domain.eval.length, this.queuePosition(entry));
  }

  /** The tenant a run counts under (admission.ts). */
  tenantOf(entry: RunEntry): string {
    return tenantOfRecord(entry.record);
  }

  /** The queued runs of `tenant`, first to start first: by creation time, then id. */
  queuedOf(tenant: string): RunEntry[] {
    return [...this.runs.values()]
      .filter((e) => e.state.status === "queued" && this.tenantOf(e) === tenant)
      .sort(
        (a, b) =>
          a.record.createdAt.localeCompare(b.record.createdAt) || a.state.runId.localeCompare(b.state.runId),
      );
  }

  /** A queued run's place in its tenant's queue, 1 = starts next; undefined when not queued. */
  queuePosition(entry: RunEntry): number | undefined {
    if (entry.state.status !== "queued") return undefined;
    const at = this.queuedOf(this.tenantOf(entry)).indexOf(entry);
    return at < 0 ? undefined : at + 1;
  }

  /** Runs of `tenant` running now (a failed run holds no place: it waits for a person). */
  private runningOf(tenant: string): number {
    let n = 0;
    for (const e of this.runs.values()) if (e.state.status === "running" && this.tenantOf(e) === tenant) n++;
    return n;
  }

  /** Whether a new run of `tenant` starts or waits now; throws `resource_exhausted` when its queue is full. */
  private admissionFor(tenant: string) {
    return admissionOf(
      tenant,
      { running: this.runningOf(tenant), queued: this.queuedOf(tenant).length },
      this.tenantLimits,
    );
  }

  /**
   * Starts the oldest waiting runs of `tenant` while it has room, in the tenant's admission task; a
   * failure to save a run's state (disk away) is tried again with backoff.
   */
  private scheduleAdmission(tenant: string, attempt = 1): void {
    if (this.stopped) return;
    void this.queue
      .run(admissionKey(tenant), () => this.admitWaiting(tenant))
      .then(
        () => undefined,
        (err: unknown) => {
          if (this.stopped || this.admissionRetries.has(tenant)) return;
          const delayMs = retryDelayMs(this.deps.pendingRetry ?? DEFAULT_RETRY_POLICY, attempt);
          this.deps.logger.warn(
            { err, tenant, attempt, delayMs },
            "a waiting run could not be started; trying again",
          );
          const timer = setTimeout(() => {
            this.admissionRetries.delete(tenant);
            this.scheduleAdmission(tenant, attempt + 1);
          }, delayMs);
          timer.unref();
          this.admissionRetries.set(tenant, timer);
        },
      );
  }

  private async admitWaiting(tenant: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const next = this.queuedOf(tenant)[0];
      if (next === undefined) return;
      if (this.runningOf(tenant) >= limitsOf(this.tenantLimits, tenant).maxRunningRuns) return;
      await this.queue.run(next.state.runId, () => this.start(next));
      this.queueChanged(tenant);
    }
  }

  /** Starts queued run `entry` (in its own task); its first work goes out as for a new run. */
  private async start(entry: RunEntry): Promise<void> {
    if (entry.state.status !== "queued") return; // cancelled meanwhile
    const runId = entry.state.runId;
    const waitedMs = this.deps.clock.now() - Date.parse(entry.record.createdAt);
    try {
      await this.driver.admit(entry);
    } catch (err) {
      // Saved as running, its work not out (Kafka away): it goes out by itself once Kafka is back.
      if (!isRunning(entry)) throw err;
      this.retryPendingWork(runId, err);
    }
    this.deps.metrics?.queueWait.observe(Math.max(0, waitedMs) / 1000);
    this.deps.logger.info(
      { run: runId, tenant: this.tenantOf(entry), waitedMs, requestId: entry.record.correlationId },
      "queued run started: its tenant has room",
    );
  }

  /** After `tenant`'s queue changed: its gauge, and every waiting run's watchers (their places moved). */
  private queueChanged(tenant: string): void {
    const waiting = this.queuedOf(tenant);
    this.deps.metrics?.queuedRuns.set({ tenant }, waiting.length);
    for (const entry of waiting) this.changed(entry);
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
    const counts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
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
    for (const timer of this.admissionRetries.values()) clearTimeout(timer);
    this.admissionRetries.clear();
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
    const { status } = entry.state;
    // A run that ended (or failed) frees its tenant's place: the oldest waiting run may start.
    if (status === "done" || status === "failed" || status === "cancelled")
      this.scheduleAdmission(this.tenantOf(entry));
  }
}
