/**
 * The AlignmentRun custom resource (charts/isara/crds/alignmentruns.yaml) as the controller reads
 * and writes it, and the pure mappings between it and a run: spec → the run's domain config and
 * CreateRun fields, run status → resource status. No I/O here, so each mapping is tested without a
 * cluster; `kube-run-source.ts` does the watching and writing.
 */

import { RunLifecycle, type RunStatus, Phase as WirePhase } from "@isara/contracts";
import type { PHASES, RunMode } from "@isara/core";
import type { V1ObjectMeta } from "@kubernetes/client-node";

/** The resource's API coordinates, as the CRD declares them. */
export const ALIGNMENT_RUN = {
  group: "isara.dev",
  version: "v1alpha1",
  plural: "alignmentruns",
  kind: "AlignmentRun",
} as const;

/** Held on every AlignmentRun the controller started, so `kubectl delete` waits for the cleanup. */
export const RUN_FINALIZER = "isara.dev/run-cleanup";

/** Label every object of a run carries (trainer Jobs and their ConfigMaps); the cleanup selects by it. */
export const RUN_LABEL = "isara.dev/run";

/**
 * Annotation that retries a failed run (as RetryRun): set it to a new value, e.g. the time
 * (`kubectl annotate alignmentrun <name> isara.dev/retry="$(date +%s)" --overwrite`). Each value is
 * acted on once (recorded in `.status.retried`), so a run that fails again is not retried in a loop.
 */
export const RETRY_ANNOTATION = "isara.dev/retry";

/** Where the domain's three files are; at most one is set (the CRD checks it). */
export interface DomainReference {
  readonly name: string;
  readonly configMap?: { readonly name: string };
  readonly path?: string;
  readonly url?: string;
}

/** `spec` of an AlignmentRun, after the API server applied the CRD's defaults. */
export interface AlignmentRunSpec {
  readonly domain: DomainReference;
  readonly mode?: RunMode;
  readonly model?: { readonly base?: string };
  readonly isara?: Readonly<Record<string, number>>;
  readonly trainer?: Readonly<Record<string, number | string>>;
  readonly stop?: Readonly<Record<string, number | string>>;
}

/** The phases `kubectl get alignmentruns` shows. */
export type RunPhaseName =
  | "Pending"
  | "Queued"
  | "Generating"
  | "Filtering"
  | "Training"
  | "Evaluating"
  | "Succeeded"
  | "Failed"
  | "Cancelled";

/** A standard Kubernetes condition (metav1.Condition). */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** `status` of an AlignmentRun; the controller is its only writer. */
export interface AlignmentRunStatus {
  readonly phase?: RunPhaseName;
  readonly observedGeneration?: number;
  readonly round?: number;
  readonly plannedRounds?: number;
  /** Place in its tenant's queue (1 = starts next) while the phase is Queued. */
  readonly queuePosition?: number;
  readonly accepted?: number;
  readonly rejected?: number;
  readonly latestMetric?: { readonly name: string; readonly value: number; readonly round: number };
  readonly stopReason?: string;
  readonly message?: string;
  /** The {@link RETRY_ANNOTATION} value last acted on. */
  readonly retried?: string;
  readonly conditions?: readonly Condition[];
}

/** An AlignmentRun as the API returns it (the fields the controller uses). */
export interface AlignmentRun {
  readonly apiVersion?: string;
  readonly kind?: string;
  /** Standard object metadata (name = run id, uid, generation, finalizers, deletionTimestamp). */
  readonly metadata: V1ObjectMeta;
  readonly spec: AlignmentRunSpec;
  readonly status?: AlignmentRunStatus;
}

/**
 * domain.json's text with the spec's `isara`, `trainer` and `stop` settings in place of the domain's
 * own (the spec's `trainer` block is the config's `training` block). Keys the spec leaves out keep the
 * domain's values; core's domain schema then checks the result as for any domain.
 * @throws SyntaxError when `configText` is not JSON (the caller reports it with the file's name).
 */
export function mergeDomainConfig(configText: string, spec: AlignmentRunSpec): string {
  const config = JSON.parse(configText) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...config };
  const blocks: [string, Readonly<Record<string, unknown>> | undefined][] = [
    ["isara", spec.isara],
    ["training", spec.trainer],
    ["stop", spec.stop],
  ];
  for (const [key, values] of blocks) {
    if (values === undefined || Object.keys(values).length === 0) continue;
    const own = config[key];
    merged[key] = { ...(typeof own === "object" && own !== null ? own : {}), ...values };
  }
  return `${JSON.stringify(merged, null, 2)}\n`;
}

const PHASE_NAMES: Record<(typeof PHASES)[number], RunPhaseName> = {
  prompts: "Generating",
  answers: "Generating",
  filter: "Filtering",
  train: "Training",
  evaluate: "Evaluating",
};

const WIRE_PHASES: Partial<Record<WirePhase, (typeof PHASES)[number]>> = {
  [WirePhase.PROMPTS]: "prompts",
  [WirePhase.ANSWERS]: "answers",
  [WirePhase.FILTER]: "filter",
  [WirePhase.TRAIN]: "train",
  [WirePhase.EVALUATE]: "evaluate",
};

/** The phase `kubectl get` shows for a run's status. */
export function phaseName(run: RunStatus): RunPhaseName {
  switch (run.lifecycle) {
    case RunLifecycle.DONE:
      return "Succeeded";
    case RunLifecycle.FAILED:
      return "Failed";
    case RunLifecycle.CANCELLED:
      return "Cancelled";
    case RunLifecycle.QUEUED:
      return "Queued";
    default: {
      const phase = WIRE_PHASES[run.phase];
      return phase === undefined ? "Pending" : PHASE_NAMES[phase];
    }
  }
}

/** Accepted and rejected samples over every round so far. */
export function sampleCounts(run: RunStatus): { accepted: number; rejected: number } {
  let accepted = 0;
  let rejected = 0;
  for (const r of run.rounds) {
    if (r.filter === undefined) continue;
    accepted += r.filter.accepted;
    rejected += Math.max(0, r.filter.written - r.filter.accepted);
  }
  return { accepted, rejected };
}

/** The newest round's value of `metric` (the domain's stop metric), if a round reported it. */
export function latestMetric(
  run: RunStatus,
  metric: string,
): { name: string; value: number; round: number } | undefined {
  for (let i = run.rounds.length - 1; i >= 0; i--) {
    const r = run.rounds[i];
    const value = r?.metrics?.values[metric];
    if (r !== undefined && value !== undefined && Number.isFinite(value)) {
      return { name: metric, value, round: r.round };
    }
  }
  return undefined;
}

/** `conditions` with `next` in place of the condition of its type; the transition time moves only on a status change. */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prev = i < 0 ? undefined : list[i];
  const kept =
    prev !== undefined && prev.status === next.status
      ? { ...next, lastTransitionTime: prev.lastTransitionTime }
      : next;
  if (i < 0) list.push(kept);
  else list[i] = kept;
  return list;
}

/**
 * The resource status of a run: phase, round, counts, the latest metric, and conditions —
 * `Created` (the controller accepted the spec and started the run), `Succeeded` and `Failed` (the
 * terminal outcomes, False until then). `now` is an RFC 3339 time for new transitions.
 */
export function statusFromRun(
  run: RunStatus,
  options: {
    readonly generation: number | undefined;
    readonly metric: string;
    readonly previous: AlignmentRunStatus | undefined;
    readonly now: string;
  },
): AlignmentRunStatus {
  const phase = phaseName(run);
  const metric = latestMetric(run, options.metric);
  const message =
    phase === "Failed"
      ? (run.error?.message ?? "the run failed")
      : phase === "Cancelled"
        ? "the run was cancelled"
        : phase === "Queued"
          ? queuedMessage(run)
          : undefined;
  const condition = (type: string, on: boolean, reason: string, text: string): Condition => ({
    type,
    status: on ? "True" : "False",
    ...(options.generation === undefined ? {} : { observedGeneration: options.generation }),
    lastTransitionTime: options.now,
    reason,
    message: text,
  });
  let conditions = setCondition(
    options.previous?.conditions,
    condition("Created", true, "RunCreated", `run ${run.runId} of domain ${run.domain} started`),
  );
  conditions = setCondition(
    conditions,
    condition(
      "Succeeded",
      phase === "Succeeded",
      phase === "Succeeded" ? "RunDone" : "NotDone",
      phase === "Succeeded" ? (run.stopReason ?? "the run finished") : `the run is ${phase.toLowerCase()}`,
    ),
  );
  conditions = setCondition(
    conditions,
    condition(
      "Failed",
      phase === "Failed",
      phase === "Failed" ? "RunFailed" : "NoFailure",
      message ?? "no step failed",
    ),
  );
  return {
    phase,
    ...(options.generation === undefined ? {} : { observedGeneration: options.generation }),
    round: run.round,
    plannedRounds: run.plannedRounds,
    ...(phase === "Queued" && run.queuePosition !== undefined ? { queuePosition: run.queuePosition } : {}),
    ...sampleCounts(run),
    ...(metric === undefined ? {} : { latestMetric: metric }),
    ...(run.stopReason === undefined || run.stopReason === "" ? {} : { stopReason: run.stopReason }),
    ...(message === undefined ? {} : { message }),
    conditions,
  };
}

/** Why a queued run waits, and where it is in its tenant's queue. */
export function queuedMessage(run: RunStatus): string {
  const place = run.queuePosition === undefined ? "" : ` (position ${run.queuePosition})`;
  return `waiting in its tenant's queue${place}: the tenant runs as many runs as it may; it starts when one of them ends`;
}

/**
 * The status of a resource the controller could not start a run for (a bad domain, a missing
 * ConfigMap): phase Failed (`Pending` with `phase`, for a refusal that passes by itself, e.g. a full
 * queue), `Created` False with the reason, and the message saying how to fix it.
 */
export function refusedStatus(
  reason: string,
  message: string,
  options: {
    readonly generation: number | undefined;
    readonly previous: AlignmentRunStatus | undefined;
    readonly now: string;
    readonly phase?: RunPhaseName;
  },
): AlignmentRunStatus {
  const conditions = setCondition(options.previous?.conditions, {
    type: "Created",
    status: "False",
    ...(options.generation === undefined ? {} : { observedGeneration: options.generation }),
    lastTransitionTime: options.now,
    reason,
    message,
  });
  return {
    phase: options.phase ?? "Failed",
    ...(options.generation === undefined ? {} : { observedGeneration: options.generation }),
    message,
    conditions,
  };
}
