/**
 * The two cluster calls the run source makes besides watching its own resource: reading a domain's
 * ConfigMap, and deleting what training-dispatch created for a run (its trainer Jobs and their spec
 * ConfigMaps, all labelled with the run id) when the AlignmentRun is deleted. Deleting by label,
 * rather than relying on owner references, works without a garbage collector and across the two
 * services' separate service accounts.
 */

import { IsaraError } from "@isara/kit";
import { apiMessage, apiStatus } from "@isara/kube-kit";
import { BatchV1Api, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { RUN_LABEL } from "./alignment-run.js";
import type { ReadConfigMap } from "./domain-reference.js";

/** Reads a ConfigMap's data; `undefined` when there is no such ConfigMap. */
export function configMapReader(kc: KubeConfig): ReadConfigMap {
  const core = kc.makeApiClient(CoreV1Api);
  return async (namespace, name) => {
    try {
      const cm = await core.readNamespacedConfigMap({ name, namespace });
      return { ...(cm.data ?? {}) };
    } catch (err) {
      if (apiStatus(err) === 404) return undefined;
      throw new IsaraError("unavailable", `cannot read ConfigMap ${namespace}/${name}: ${apiMessage(err)}`);
    }
  };
}

/** Deletes the Jobs (with their pods) and ConfigMaps labelled with the run; resolves with how many. */
export function runCleanup(kc: KubeConfig, namespace: string): (runId: string) => Promise<number> {
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  return async (runId) => {
    const labelSelector = `${RUN_LABEL}=${runId}`;
    try {
      const jobs = await batch.listNamespacedJob({ namespace, labelSelector });
      const maps = await core.listNamespacedConfigMap({ namespace, labelSelector });
      for (const job of jobs.items) {
        await batch.deleteNamespacedJob({
          name: job.metadata?.name ?? "",
          namespace,
          propagationPolicy: "Background",
        });
      }
      for (const cm of maps.items) {
        await core.deleteNamespacedConfigMap({ name: cm.metadata?.name ?? "", namespace });
      }
      return jobs.items.length + maps.items.length;
    } catch (err) {
      if (apiStatus(err) === 404) return 0;
      throw new IsaraError(
        "unavailable",
        `cannot clean up the trainer objects of run ${runId}: ${apiMessage(err)}`,
      );
    }
  };
}
