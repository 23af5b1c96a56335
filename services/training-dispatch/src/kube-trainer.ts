/**
 * The `Trainer` backend for Kubernetes: each training is one release of charts/isara-trainer, a Job
 * that asks for GPUs and runs the trainer image on the shared artifact volume.
 *
 * How the release is installed: the chart is rendered with `helm template` (helm ships in this
 * service's image) and the objects are created through the API with `@kubernetes/client-node`; helm
 * never talks to the cluster. Why: the chart stays the one description of a trainer Job (operators
 * read and override it like any chart), while this service keeps the lifecycle — it watches the Job,
 * reads the outcome, deletes the objects — without helm's release Secrets to track, so its RBAC is
 * Jobs and ConfigMaps only, and every object carries the run's label, which is how the controller
 * removes a deleted run's trainings.
 *
 * Idempotent: a redelivered TrainWork renders the same release name; creating an object that exists
 * is not an error, so it attaches to the Job already running (a restart of this service does not
 * restart a GPU job). On shutdown the Job is left running for the next attach. A Job that failed is
 * reported with its pod's reason (OOMKilled, the trainer's exit code and message) and deleted, so the
 * next try (in place for a failure a retry may cure, or the run's RetryRun) starts a fresh one.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import {
  IsaraError,
  type TrainContext,
  type Trainer,
  type TrainResult,
  type TrainSpec,
  tenantOfRunId,
} from "@isara/core";
import { apiMessage, apiStatus } from "@isara/kube-kit";
import { readResult } from "@isara/trainer-local";
import {
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  type V1Job,
} from "@kubernetes/client-node";

const run = promisify(execFile);

/** Exit code the trainer uses for a bad spec or dataset (see docs/trainer.md). */
const EXIT_BAD_INPUT = 2;

/** How {@link createKubeTrainer} installs and watches trainer releases. */
export interface KubeTrainerOptions {
  readonly kc: KubeConfig;
  readonly namespace: string;
  /** Folder of the isara-trainer chart. */
  readonly chartDir: string;
  /** Values every release gets (image, GPUs, node selector, tolerations, queue, volumes); optional. */
  readonly valuesFile: string | undefined;
  /** The helm binary. */
  readonly helm: string;
  /** Wait between two looks at a running Job. Default 5 s. */
  readonly pollMs?: number;
  /** Where progress lines go (the Job's state changes). */
  readonly onLog?: (line: string) => void;
}

/**
 * The release name of a training: `train-<run>-r<round>`, shortened with a hash when the run id is
 * long, so that it stays a valid Job name (63 characters, and 52 for the pods' generated names).
 */
export function releaseName(context: TrainContext): string {
  const full = `train-${context.runId}-r${context.round}`;
  if (full.length <= 52) return full;
  const hash = createHash("sha256").update(context.runId).digest("hex").slice(0, 8);
  const keep = 52 - `train--${hash}-r${context.round}`.length;
  return `train-${context.runId.slice(0, keep).replace(/-+$/, "")}-${hash}-r${context.round}`;
}

function condition(job: V1Job, type: string): { reason?: string; message?: string } | undefined {
  const c = job.status?.conditions?.find((x) => x.type === type && x.status === "True");
  return c === undefined ? undefined : { reason: c.reason, message: c.message };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Renders the chart into objects, with `values` on top of the base values file. */
async function render(
  options: KubeTrainerOptions,
  release: string,
  values: object,
): Promise<KubernetesObject[]> {
  const dir = await mkdtemp(join(tmpdir(), "isara-release-"));
  try {
    const file = join(dir, "values.json");
    await writeFile(file, JSON.stringify(values));
    const args = ["template", release, options.chartDir, "--namespace", options.namespace];
    if (options.valuesFile !== undefined) args.push("--values", options.valuesFile);
    args.push("--values", file);
    let stdout: string;
    try {
      ({ stdout } = await run(options.helm, args, { maxBuffer: 16 * 1024 * 1024 }));
    } catch (err) {
      const said = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
      throw new IsaraError(
        (err as NodeJS.ErrnoException).code === "ENOENT" ? "failed_precondition" : "invalid_argument",
        `cannot render the trainer chart ${options.chartDir} with ${options.helm}: ${said}`,
      );
    }
    return (loadAllYaml(stdout) as (KubernetesObject | null)[]).filter(
      (o): o is KubernetesObject => o !== null && typeof o === "object" && typeof o.kind === "string",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds the Kubernetes trainer (see the module comment). */
export function createKubeTrainer(options: KubeTrainerOptions): Trainer {
  const objects = KubernetesObjectApi.makeApiClient(options.kc);
  const batch = options.kc.makeApiClient(BatchV1Api);
  const core = options.kc.makeApiClient(CoreV1Api);
  const { namespace } = options;
  const pollMs = options.pollMs ?? 5000;
  const log = options.onLog ?? (() => {});

  async function createAll(list: KubernetesObject[]): Promise<void> {
    for (const object of list) {
      try {
        await objects.create({ ...object, metadata: { ...object.metadata, namespace } });
      } catch (err) {
        if (apiStatus(err) === 409) continue; // Already there: a redelivery attaches to it.
        throw new IsaraError(
          apiStatus(err) === 422 || apiStatus(err) === 400 ? "invalid_argument" : "unavailable",
          `cannot create ${object.kind} ${object.metadata?.name ?? ""} of the trainer release: ${apiMessage(err)}`,
        );
      }
    }
  }

  async function deleteAll(list: KubernetesObject[]): Promise<void> {
    for (const object of list) {
      try {
        await objects.delete(
          { ...object, metadata: { ...object.metadata, namespace } },
          undefined,
          undefined,
          undefined,
          undefined,
          "Background",
        );
      } catch (err) {
        if (apiStatus(err) !== 404)
          log(`could not delete ${object.kind} ${object.metadata?.name}: ${apiMessage(err)}`);
      }
    }
  }

  /** The failed pod's own account: container reason, exit code and message. */
  async function podReason(jobName: string): Promise<{ text: string; exitCode?: number; reason?: string }> {
    try {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: `batch.kubernetes.io/job-name=${jobName}`,
      });
      const newest = [...pods.items].sort((a, b) =>
        String(b.metadata?.creationTimestamp ?? "").localeCompare(
          String(a.metadata?.creationTimestamp ?? ""),
        ),
      )[0];
      const terminated = newest?.status?.containerStatuses
        ?.map((s) => s.state?.terminated)
        .find((t) => t !== undefined);
      if (newest === undefined) return { text: "no pod of the Job is left to ask" };
      if (terminated === undefined) {
        return {
          text: `pod ${newest.metadata?.name}: ${newest.status?.reason ?? newest.status?.phase ?? "unknown"} ${newest.status?.message ?? ""}`.trim(),
        };
      }
      return {
        text: `pod ${newest.metadata?.name}: ${terminated.reason ?? "terminated"} (exit ${terminated.exitCode})${terminated.message ? `: ${terminated.message.trim()}` : ""}`,
        exitCode: terminated.exitCode,
        ...(terminated.reason === undefined ? {} : { reason: terminated.reason }),
      };
    } catch (err) {
      return { text: `its pods could not be listed (${apiMessage(err)})` };
    }
  }

  /**
   * Watches the Job until it completed; resolves then. The result on the volume counts as completed
   * whatever the Job's state: the trainer writes it last and atomically, and a delivery of the same
   * work that rendered slowly may have re-created the Job after another delivery read that result and
   * removed the release (that Job would otherwise be waited on, and run, again). A Job that is gone
   * (or going) without a result is a cancellation.
   */
  async function watch(
    jobName: string,
    list: KubernetesObject[],
    resultPath: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    let lastState = "";
    const gone = async (how: string) => {
      if (await exists(resultPath)) return;
      throw new IsaraError(
        "cancelled",
        `trainer Job ${namespace}/${jobName} ${how} before it finished (its run was cancelled or deleted)`,
      );
    };
    for (;;) {
      if (signal?.aborted)
        throw new IsaraError(
          "cancelled",
          `stopped watching trainer Job ${jobName}; it keeps running and is attached to again`,
        );
      if (await exists(resultPath)) return;
      let job: V1Job;
      try {
        job = await batch.readNamespacedJob({ name: jobName, namespace });
      } catch (err) {
        if (apiStatus(err) === 404) return gone("was deleted");
        log(`cannot read trainer Job ${jobName} (${apiMessage(err)}); looking again`);
        await sleep(pollMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (job.metadata?.deletionTimestamp !== undefined) return gone("is being deleted");
      if (condition(job, "Complete") !== undefined) return;
      const failed = condition(job, "Failed");
      if (failed !== undefined) {
        const pod = await podReason(jobName);
        const text = `trainer Job ${namespace}/${jobName} failed: ${failed.reason ?? "Failed"}${failed.message ? ` (${failed.message})` : ""}; ${pod.text}`;
        // Every failed Job goes, its reason kept in the error: the next try (a retry in place, or the
        // run's RetryRun after the cause was fixed) then starts a fresh Job instead of attaching to
        // the failed one and failing again at once.
        await deleteAll(list);
        if (pod.exitCode === EXIT_BAD_INPUT) throw new IsaraError("invalid_argument", text);
        if (
          pod.reason === "OOMKilled" ||
          failed.reason === "DeadlineExceeded" ||
          pod.exitCode === undefined
        ) {
          // Out of memory, out of time, or no pod to say: retried in place.
          throw new IsaraError("unavailable", text, {
            exit: { signal: pod.reason ?? failed.reason ?? "Failed" },
          });
        }
        throw new IsaraError("internal", text);
      }
      const state = `active ${job.status?.active ?? 0}, ready ${job.status?.ready ?? 0}, failed ${job.status?.failed ?? 0}`;
      if (state !== lastState) {
        log(`trainer Job ${jobName}: ${state}`);
        lastState = state;
      }
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
    }
  }

  return {
    async train(spec: TrainSpec, _onProgress, signal, context): Promise<TrainResult> {
      if (context === undefined) {
        throw new IsaraError(
          "internal",
          "the Kubernetes trainer needs the run and round of a training to name its Job",
        );
      }
      const release = releaseName(context);
      await mkdir(spec.outputDir, { recursive: true });
      await writeFile(join(spec.outputDir, "spec.json"), `${JSON.stringify(spec, null, 2)}\n`);
      const run = { id: context.runId, round: context.round, tenant: tenantOfRunId(context.runId) ?? "" };
      const list = await render(options, release, { run, spec });
      const job = list.find((o) => o.kind === "Job");
      if (job?.metadata?.name === undefined) {
        throw new IsaraError("invalid_argument", `the trainer chart ${options.chartDir} rendered no Job`);
      }
      const resultPath = join(spec.outputDir, "result.json");
      if (await exists(resultPath)) {
        // Trained already (this is a redelivery of finished work): the result stands, no second Job.
        log(`trainer release ${release} finished before; reading its result`);
      } else {
        await createAll(list);
        log(`trainer release ${release} installed in ${namespace} (Job ${job.metadata.name})`);
        await watch(job.metadata.name, list, resultPath, signal);
      }
      const result = await readResult(resultPath);
      await deleteAll(list);
      return result;
    },
    async close() {},
  };
}
