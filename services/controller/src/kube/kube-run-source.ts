/**
 * The controller's Kubernetes mode: AlignmentRun resources are a source of runs beside the gRPC API.
 * An informer watches the resources of one namespace (with a periodic resync, and a restart with
 * backoff when the watch breaks); each resource is reconciled one at a time per name:
 *
 * - new: the finalizer goes on, the domain files are read from the spec's reference (ConfigMap, PVC
 *   path or URL), the spec's settings merged into domain.json, the folder written to the artifact
 *   volume, and the run created through the same `Reconciler.create` as a gRPC CreateRun (so the same
 *   validation, idempotency by run id and resume after restart). A spec that cannot start a run gets
 *   phase Failed, a `Created=False` condition and a Warning Event saying how to fix it, and is tried
 *   again at every resync, so creating the missing ConfigMap afterwards starts the run.
 * - running: its status is written to the status subresource on every change a person would see
 *   (phase, round, counts, metric), and every phase transition is an Event, so `kubectl describe`
 *   tells the run's story. A run over its tenant's limit is phase Queued with its `queuePosition`
 *   (Events `Queued`, then `Started` when it is admitted); with the tenant's queue full it is not
 *   created (phase Pending, `Created=False` reason QueueFull) and is tried again at every resync.
 * - deleted (`deletionTimestamp`): the run is cancelled, its trainer Jobs and their ConfigMaps are
 *   deleted by label, its samples are deleted from the vector store (retrieval's DeleteRunSamples),
 *   and the finalizer comes off so the API server removes the resource. A run
 *   cancelled through the API (CancelRun) while its resource stays loses its trainer Jobs the same way.
 *
 * The run state itself stays in the run folder on the artifact volume (the RunStore): the resource's
 * status is a summary for people and kubectl, small enough for etcd, and rewritten from the run.
 */

import type { RunContext, RunStatus } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";
import { IsaraError, type Logger } from "@isara/kit";
import { apiMessage, apiStatus, type EventRecorder, type EventSubject } from "@isara/kube-kit";
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { DOMAIN_FILES } from "../domain-source.js";
import { KeyedQueue } from "../keyed-queue.js";
import type { Reconciler } from "../reconciler.js";
import type { CheckedSpec } from "../run-spec.js";
import {
  ALIGNMENT_RUN,
  type AlignmentRun,
  type AlignmentRunStatus,
  mergeDomainConfig,
  RETRY_ANNOTATION,
  RUN_FINALIZER,
  refusedStatus,
  statusFromRun,
} from "./alignment-run.js";
import { type ReadConfigMap, readDomainReference } from "./domain-reference.js";

/** What the run source is built from. */
export interface KubeRunSourceDeps {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly reconciler: Reconciler;
  readonly artifacts: ArtifactStore;
  readonly domainsDir: string | undefined;
  readonly readConfigMap: ReadConfigMap;
  readonly events: EventRecorder;
  /** Deletes the trainer Jobs and ConfigMaps of a run (selected by its label); resolves with how many. */
  readonly cleanupRun: (runId: string) => Promise<number>;
  /** Deletes a deleted run's samples from the vector store (retrieval); resolves with how many. */
  readonly deleteSamples: (context: RunContext) => Promise<number>;
  readonly logger: Logger;
  /** How often every resource is reconciled again even without a change. Default 60 s. */
  readonly resyncMs?: number;
  /** Longest wait before the watch is restarted after it broke. Default 30 s. */
  readonly maxBackoffMs?: number;
  /** RFC 3339 now, for condition times. */
  readonly now?: () => string;
}

/** The running source. */
export interface KubeRunSource {
  /** Lists the resources and starts watching; resolves once the first list was reconciled. */
  start(): Promise<void>;
  /** Stops watching and waits for the reconciles in flight. */
  stop(): Promise<void>;
}

/** Where an AlignmentRun's domain folder goes on the artifact volume (then named in the run's spec). */
export function kubeDomainFolder(runId: string): string {
  return `kube-domains/${runId}`;
}

/** Errors that mean the spec cannot start a run as it is (a person must fix it), not "try again". */
const REFUSALS: Record<string, string> = {
  invalid_argument: "InvalidSpec",
  not_found: "DomainNotFound",
  failed_precondition: "CannotStart",
  already_exists: "NameTaken",
  resource_exhausted: "QueueFull",
};

/** Builds the Kubernetes run source (see the module comment). */
export function createKubeRunSource(deps: KubeRunSourceDeps): KubeRunSource {
  const { kc, namespace, reconciler, logger } = deps;
  const custom = kc.makeApiClient(CustomObjectsApi);
  const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  const now = deps.now ?? (() => new Date().toISOString());
  const queue = new KeyedQueue();
  /** Per run: the status last written and the watcher feeding it. */
  const tracked = new Map<
    string,
    { last: string; unsubscribe: () => void; subject: EventSubject; phase?: string }
  >();
  const path = `/apis/${ALIGNMENT_RUN.group}/${ALIGNMENT_RUN.version}/namespaces/${namespace}/${ALIGNMENT_RUN.plural}`;
  const coords = {
    group: ALIGNMENT_RUN.group,
    version: ALIGNMENT_RUN.version,
    namespace,
    plural: ALIGNMENT_RUN.plural,
  };
  const informer = makeInformer<AlignmentRun>(
    kc,
    path,
    async () => (await custom.listNamespacedCustomObject(coords)) as KubernetesListObject<AlignmentRun>,
  );
  let stopped = false;
  let resync: NodeJS.Timeout | undefined;
  let restart: NodeJS.Timeout | undefined;
  let backoffMs = 1000;

  const subjectOf = (run: AlignmentRun): EventSubject => ({
    apiVersion: `${ALIGNMENT_RUN.group}/${ALIGNMENT_RUN.version}`,
    kind: ALIGNMENT_RUN.kind,
    name: run.metadata.name ?? "",
    namespace,
    uid: run.metadata.uid ?? "",
  });

  /** Fields a status may leave out; a merge patch removes them only when sent as null. */
  const OPTIONAL = [
    "round",
    "plannedRounds",
    "queuePosition",
    "accepted",
    "rejected",
    "latestMetric",
    "stopReason",
    "message",
  ] as const;

  async function writeStatus(name: string, status: AlignmentRunStatus): Promise<void> {
    const body: Record<string, unknown> = { ...status };
    // A run that starts after a refusal must not keep the refusal's message.
    for (const key of OPTIONAL) if (body[key] === undefined) body[key] = null;
    try {
      await custom.patchNamespacedCustomObjectStatus({ ...coords, name, body: { status: body } }, mergePatch);
    } catch (err) {
      if (apiStatus(err) === 404) return;
      throw new IsaraError(
        "unavailable",
        `cannot write the status of AlignmentRun ${name}: ${apiMessage(err)}`,
      );
    }
  }

  /** Writes the run's status when it differs from the last written, with an Event per phase change. */
  async function publish(name: string, run: RunStatus): Promise<void> {
    const t = tracked.get(name);
    if (t === undefined) return;
    let metric = "rougeL_diff";
    try {
      metric = reconciler.entry(run.runId).domain.config.stop.metric;
    } catch {
      // The run is gone from memory (shutdown): the default metric name is as good.
    }
    const cached = informer.get(name, namespace);
    const status = statusFromRun(run, {
      generation: cached?.metadata.generation,
      metric,
      previous: cached?.status,
      now: now(),
    });
    const text = JSON.stringify({
      ...status,
      conditions: status.conditions?.map((c) => [c.type, c.status, c.reason]),
    });
    if (text === t.last) return;
    await writeStatus(name, status);
    t.last = text;
    if (status.phase !== t.phase) {
      if (t.phase === "Queued" && status.phase !== "Cancelled") {
        await deps.events.record(t.subject, "Normal", "Started", "run admitted: its tenant has room");
      }
      const type = status.phase === "Failed" ? "Warning" : "Normal";
      const detail =
        status.phase === "Succeeded"
          ? `run finished after round ${status.round}: ${status.stopReason ?? "plan complete"}`
          : status.phase === "Failed" || status.phase === "Cancelled" || status.phase === "Queued"
            ? (status.message ?? "")
            : `round ${status.round} of ${status.plannedRounds}: ${(status.phase ?? "").toLowerCase()}`;
      await deps.events.record(t.subject, type, status.phase ?? "Pending", detail);
      t.phase = status.phase;
      if (status.phase === "Cancelled") {
        // Cancelled through the API (CancelRun) while the resource stays: its trainings stop too.
        const removed = await deps.cleanupRun(name);
        if (removed > 0)
          await deps.events.record(
            t.subject,
            "Normal",
            "CleanedUp",
            `deleted ${removed} trainer object(s) of run ${name}`,
          );
      }
    }
  }

  function track(run: AlignmentRun, runId: string): void {
    const name = run.metadata.name ?? "";
    if (tracked.has(name)) return;
    const entry = { last: "", subject: subjectOf(run), unsubscribe: () => {} } as {
      last: string;
      unsubscribe: () => void;
      subject: EventSubject;
      phase?: string;
    };
    entry.phase = run.status?.phase;
    tracked.set(name, entry);
    const onChange = (status: RunStatus) => {
      void queue
        .run(name, () => publish(name, status))
        .catch((err) => {
          logger.warn({ run: name, err }, "status write failed; the next change or resync writes it");
        });
    };
    entry.unsubscribe = reconciler.watch(runId, onChange);
    onChange(reconciler.status(reconciler.entry(runId)));
  }

  function untrack(name: string): void {
    tracked.get(name)?.unsubscribe();
    tracked.delete(name);
  }

  async function addFinalizer(run: AlignmentRun): Promise<void> {
    const finalizers = [...(run.metadata.finalizers ?? []), RUN_FINALIZER];
    await custom.patchNamespacedCustomObject(
      {
        ...coords,
        name: run.metadata.name ?? "",
        body: { metadata: { finalizers, resourceVersion: run.metadata.resourceVersion } },
      },
      mergePatch,
    );
  }

  async function finalize(run: AlignmentRun): Promise<void> {
    const name = run.metadata.name ?? "";
    untrack(name);
    let exists = true;
    try {
      reconciler.entry(name);
    } catch {
      exists = false;
    }
    if (exists) {
      try {
        await reconciler.cancel(name, "AlignmentRun deleted", `kube-delete/${run.metadata.uid ?? name}`);
        await deps.events.record(
          subjectOf(run),
          "Normal",
          "Cancelled",
          "the AlignmentRun was deleted: run cancelled",
        );
      } catch (err) {
        // A finished run has nothing to cancel; its Jobs are still cleaned up below.
        if (!(err instanceof IsaraError && err.code === "failed_precondition")) throw err;
      }
    }
    const removed = await deps.cleanupRun(name);
    await deps.events.record(
      subjectOf(run),
      "Normal",
      "CleanedUp",
      `deleted ${removed} trainer object(s) of run ${name}`,
    );
    // Before the finalizer comes off: a failure here (retrieval down) is retried with the resource kept.
    const samples = await deps.deleteSamples({
      run: name,
      domain: run.spec.domain.name,
      round: 0,
      correlationId: `kube-delete/${run.metadata.uid ?? name}`,
    });
    await deps.events.record(
      subjectOf(run),
      "Normal",
      "SamplesDeleted",
      `deleted ${samples} sample(s) of run ${name} from the vector store`,
    );
    const finalizers = (run.metadata.finalizers ?? []).filter((f) => f !== RUN_FINALIZER);
    try {
      await custom.patchNamespacedCustomObject(
        {
          ...coords,
          name,
          body: { metadata: { finalizers, resourceVersion: run.metadata.resourceVersion } },
        },
        mergePatch,
      );
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
    }
    logger.info({ run: name }, "AlignmentRun deleted: run cancelled and cleaned up");
  }

  async function create(run: AlignmentRun): Promise<void> {
    const name = run.metadata.name ?? "";
    const spec = run.spec;
    const texts = await readDomainReference(spec.domain, namespace, {
      readConfigMap: deps.readConfigMap,
      domainsDir: deps.domainsDir,
    });
    let config: string;
    try {
      config = mergeDomainConfig(texts.config, spec);
    } catch (err) {
      throw new IsaraError(
        "invalid_argument",
        `${DOMAIN_FILES.config} of domain ${spec.domain.name} is not JSON: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const folder = kubeDomainFolder(name);
    await deps.artifacts.write(`${folder}/${DOMAIN_FILES.config}`, config);
    await deps.artifacts.write(`${folder}/${DOMAIN_FILES.seeds}`, texts.seeds);
    await deps.artifacts.write(`${folder}/${DOMAIN_FILES.eval}`, texts.eval);
    const checked: CheckedSpec = {
      runId: name,
      domain: spec.domain.name,
      source: folder,
      mode: spec.mode ?? "isara",
      overrides: spec.model?.base === undefined ? {} : { baseModel: spec.model.base },
      // No tenant: the run counts under its name's "<tenant>--" prefix, else the tenant "".
      tenant: "",
    };
    const { created } = await reconciler.create(checked, `kube/${run.metadata.uid ?? name}`);
    if (created) {
      await deps.events.record(
        subjectOf(run),
        "Normal",
        "RunCreated",
        `run ${name} of domain ${spec.domain.name} (${checked.mode}) created`,
      );
    }
  }

  /**
   * Acts on a new value of the retry annotation: a failed run resumes (the same `Reconciler.retry`
   * as RetryRun, keyed by the resource's uid and the value), a running one is left as it is, a done
   * or cancelled one gets a Warning Event. The value is then recorded in `.status.retried`.
   */
  async function retryOnAnnotation(run: AlignmentRun): Promise<void> {
    const name = run.metadata.name ?? "";
    const value = run.metadata.annotations?.[RETRY_ANNOTATION];
    if (value === undefined || value === "" || value === run.status?.retried) return;
    const lifecycle = reconciler.entry(name).state.status;
    if (lifecycle === "failed") {
      await reconciler.retry(
        name,
        `annotation ${RETRY_ANNOTATION}=${value}`,
        `kube-retry/${run.metadata.uid ?? name}/${value}`,
      );
      await deps.events.record(
        subjectOf(run),
        "Normal",
        "Retried",
        `failed run resumed (${RETRY_ANNOTATION}=${value})`,
      );
    } else if (lifecycle !== "running" && lifecycle !== "queued") {
      await deps.events.record(
        subjectOf(run),
        "Warning",
        "RetryRefused",
        `run ${name} is ${lifecycle}; only a failed run can be retried (create a new AlignmentRun instead)`,
      );
    }
    await custom.patchNamespacedCustomObjectStatus(
      { ...coords, name, body: { status: { retried: value } } },
      mergePatch,
    );
  }

  async function reconcile(run: AlignmentRun): Promise<void> {
    const name = run.metadata.name ?? "";
    if (run.metadata.deletionTimestamp !== undefined) {
      if ((run.metadata.finalizers ?? []).includes(RUN_FINALIZER)) await finalize(run);
      return;
    }
    if (!(run.metadata.finalizers ?? []).includes(RUN_FINALIZER)) {
      await addFinalizer(run);
      return; // The update this causes reconciles again with the finalizer on.
    }
    let known = true;
    try {
      reconciler.entry(name);
    } catch {
      known = false;
    }
    try {
      if (!known) await create(run);
      track(run, name);
      await retryOnAnnotation(run);
    } catch (err) {
      const reason = err instanceof IsaraError ? REFUSALS[err.code] : undefined;
      if (reason === undefined) throw err;
      const message = err instanceof Error ? err.message : String(err);
      // A full queue passes by itself: the resource waits (Pending) and the next resync tries again.
      const phase = reason === "QueueFull" ? "Pending" : "Failed";
      // Tried again at every resync (a ConfigMap created later starts the run); said once.
      if (run.status?.phase === phase && run.status.message === message) return;
      await writeStatus(
        name,
        refusedStatus(reason, message, {
          generation: run.metadata.generation,
          previous: run.status,
          now: now(),
          phase,
        }),
      );
      await deps.events.record(subjectOf(run), "Warning", reason, message);
      logger.warn({ run: name, reason, why: message }, "AlignmentRun refused");
    }
  }

  function enqueue(run: AlignmentRun): void {
    const name = run.metadata.name ?? "";
    if (stopped || name === "") return;
    void queue
      .run(name, () => reconcile(run))
      .catch((err) => {
        logger.warn({ run: name, err }, "reconcile failed; retrying at the next change or resync");
        // A transient failure (API or broker down): try this resource again soon.
        setTimeout(
          () => {
            const latest = informer.get(name, namespace);
            if (latest !== undefined) enqueue(latest);
          },
          Math.min(backoffMs, deps.maxBackoffMs ?? 30_000),
        ).unref();
      });
  }

  informer.on("add", enqueue);
  informer.on("update", enqueue);
  informer.on("delete", (run) => untrack(run.metadata.name ?? ""));
  function scheduleRestart(why: string): void {
    if (stopped) return;
    logger.warn({ why }, `AlignmentRun watch broke; restarting in ${backoffMs} ms`);
    restart = setTimeout(() => {
      if (stopped) return;
      informer.start().then(
        () => {
          backoffMs = 1000;
        },
        (err: unknown) => scheduleRestart(apiMessage(err)),
      );
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, deps.maxBackoffMs ?? 30_000);
  }
  informer.on("error", (err) => scheduleRestart(apiMessage(err)));

  return {
    async start() {
      await informer.start();
      for (const run of informer.list(namespace)) enqueue(run);
      resync = setInterval(() => {
        for (const run of informer.list(namespace)) enqueue(run);
      }, deps.resyncMs ?? 60_000);
      resync.unref();
      await queue.idle();
    },
    async stop() {
      stopped = true;
      if (resync !== undefined) clearInterval(resync);
      if (restart !== undefined) clearTimeout(restart);
      await informer.stop();
      for (const name of [...tracked.keys()]) untrack(name);
      await queue.idle();
    },
  };
}
