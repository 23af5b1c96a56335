/**
 * The work of the filtering stage for one `FilterWork`: a whole round's filter pass. Check the
 * message; answer a redelivery from the stored sets; otherwise take the run's domain snapshot (read
 * once per run, see `@isara/contracts`' `createRunDomains`), read the earlier sets and the round's candidates, run
 * `@isara/core/pipeline`'s `filterStep` (the chain the snapshot's domain.json names, built by core's
 * filter registry: the same step and code path the embedded mode runs) with the retrieval service as
 * its embedder and vector store and the configured judge (if any) for `judge-score`, write `rejected.jsonl` and `accepted.jsonl`, and return one `SampleJudged` per
 * candidate. The stage consumer publishes them only after this returns, so every accepted sample was
 * upserted before its `SampleJudged` exists.
 *
 * Which failure goes where (Kafka mechanics are the stage consumer's business):
 * - bad message, unknown run, invalid domain snapshot, a candidates file that does not match the
 *   work, a retrieval refusal (`invalid_argument`): thrown, not retryable → dead-lettered;
 * - a chain that names `judge-score` where the service has no judge (`failed_precondition`; the
 *   controller refuses such runs at CreateRun unless told the service has one): not retryable;
 * - retrieval, the judge or the artifact store unavailable, timeouts: thrown, retryable → retried in place.
 */
import { createRunDomains, type FilterWork } from "@isara/contracts";
import type { ArtifactStore, FilterRegistry, SampleJudge } from "@isara/core";
import { filterStep } from "@isara/core/pipeline";
import type { StageHandler } from "@isara/kafka-kit";
import { parseFilterWork } from "./filter-job.js";
import { judgedMessages, readJudged, writeJudged } from "./judged-outputs.js";
import type { RetrievalClient } from "./retrieval-client.js";
import { retrievalFilterPorts } from "./retrieval-ports.js";
import { earlierSamples, loadCandidates } from "./run-inputs.js";
import type { FilteringMetrics } from "./service-metrics.js";

/** What the handler works with. */
export interface FilterWorkHandlerDeps {
  readonly artifacts: ArtifactStore;
  readonly retrieval: RetrievalClient;
  readonly metrics: FilteringMetrics;
  /**
   * The filters a run's domain.json may name (default core's `FILTER_REGISTRY`); the controller
   * checked the run's chain against the same registry when the run started.
   */
  readonly filterRegistry?: FilterRegistry;
  /** The judge of the `judge-score` filter (from JUDGE_URL); none: a chain naming it cannot run here. */
  readonly judge?: SampleJudge;
}

/**
 * The stage handler of `isara.filter.work` (see the module comment). Idempotent: a work whose sets
 * are stored is answered from them without filtering or upserting again, and a pass that runs again
 * (after a crash before the files) upserts the same deterministic ids, replacing rather than adding.
 */
export function createFilterWorkHandler(deps: FilterWorkHandlerDeps): StageHandler<FilterWork> {
  const { artifacts, metrics, filterRegistry, judge } = deps;
  const domains = createRunDomains(artifacts, { filterRegistry });
  return async (work, stage) => {
    const job = parseFilterWork(work);
    const stored = await readJudged(artifacts, job);
    if (stored !== undefined) {
      metrics.passes.inc({ outcome: "replayed" });
      stage.logger.info(
        { accepted: stored.accepted.length, rejected: stored.rejected.length },
        "already filtered; republishing the stored verdicts",
      );
      return judgedMessages(job, stored);
    }
    const started = performance.now();
    const { run, domain: domainName, round } = job.context;
    const domain = await domains.get(run, domainName);
    const { candidates, generatorModel } = await loadCandidates(artifacts, job);
    const earlier = await earlierSamples(artifacts, job, domain);
    stage.logger.info({ candidates: candidates.length, earlier: earlier.length }, "filter pass started");
    const result = await filterStep(
      {
        run,
        domain: domainName,
        config: domain.config,
        round,
        candidates,
        earlier,
        generatorModel,
        filterRegistry,
      },
      {
        ...retrievalFilterPorts(deps.retrieval, job.context, stage.signal),
        ...(judge === undefined ? {} : { judge }),
      },
      stage.signal,
    );
    await writeJudged(artifacts, job, result);
    metrics.passes.inc({ outcome: "filtered" });
    metrics.samples.inc({ verdict: "accepted" }, result.accepted.length);
    metrics.samples.inc({ verdict: "rejected" }, result.rejected.length);
    const seconds = (performance.now() - started) / 1000;
    metrics.duration.observe(seconds);
    stage.logger.info(
      { accepted: result.report.accepted, rejectedBy: result.report.rejectedBy, seconds },
      "filter pass finished",
    );
    return judgedMessages(job, result);
  };
}
