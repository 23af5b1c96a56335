/**
 * The controller's Kubernetes mode as `main.ts` starts it: connect to the cluster, hold the leader
 * Lease before anything else starts (a standby replica waits here, serving only its probes, so two
 * replicas never consume results or write a run at once), then run the namespace's AlignmentRuns.
 * Losing the Lease ends the process: the standby that takes over resumes every run from its folder,
 * as after any restart.
 */
import type { ArtifactStore } from "@isara/core";
import type { Logger, Shutdown } from "@isara/kit";
import { createEventRecorder, createLeaderElection, loadKubeConfig, resolveNamespace } from "@isara/kube-kit";
import type { ControllerConfig } from "../config.js";
import type { Reconciler } from "../reconciler.js";
import { createRetrievalSampleCleanup } from "../run-samples.js";
import { configMapReader, runCleanup } from "./kube-adapters.js";
import { createKubeRunSource } from "./kube-run-source.js";

/** The Kubernetes mode of one controller process. */
export interface KubeMode {
  readonly namespace: string;
  /** Resolves once this replica leads (at once with leader election off); registers the release. */
  lead(shutdown: Shutdown, onLost: (why: string) => void): Promise<void>;
  /** Starts reconciling AlignmentRuns through `reconciler`; registers the stop. */
  startRuns(reconciler: Reconciler, shutdown: Shutdown): Promise<void>;
}

/** Builds the Kubernetes mode from the controller's config (`config.kube` must be set). */
export function createKubeMode(
  config: NonNullable<ControllerConfig["kube"]>,
  deps: {
    readonly logger: Logger;
    readonly artifacts: ArtifactStore;
    readonly domainsDir: string | undefined;
    /** The retrieval service (`host:port`), where a deleted run's samples are deleted. */
    readonly retrievalAddress: string;
  },
): KubeMode {
  const kc = loadKubeConfig();
  const namespace = resolveNamespace(kc, config.namespace);
  const logger = deps.logger.child({ component: "kube", namespace });
  return {
    namespace,
    async lead(shutdown, onLost) {
      if (config.lease === undefined) return;
      const election = createLeaderElection(kc, {
        namespace,
        name: config.lease,
        identity: config.identity,
        logger,
      });
      const aborted = new AbortController();
      shutdown.register("leader-lease", async () => {
        aborted.abort();
        await election.release();
      });
      logger.info({ lease: config.lease, identity: config.identity }, "waiting to lead");
      await election.acquire(aborted.signal);
      void election.lost.then(onLost);
    },
    async startRuns(reconciler, shutdown) {
      const samples = createRetrievalSampleCleanup(deps.retrievalAddress);
      shutdown.register("retrieval-sample-cleanup", async () => samples.close());
      const source = createKubeRunSource({
        kc,
        namespace,
        reconciler,
        artifacts: deps.artifacts,
        domainsDir: deps.domainsDir,
        readConfigMap: configMapReader(kc),
        cleanupRun: runCleanup(kc, namespace),
        deleteSamples: (context) => samples.deleteRunSamples(context),
        events: createEventRecorder(kc, { component: "isara-controller", instance: config.identity, logger }),
        logger,
        resyncMs: config.resyncMs,
      });
      await source.start();
      shutdown.register("alignmentrun-watch", () => source.stop());
      logger.info("reconciling AlignmentRuns");
    },
  };
}
