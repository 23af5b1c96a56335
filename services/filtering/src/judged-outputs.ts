/**
 * The outputs of a round's filter pass and what makes it idempotent: `accepted.jsonl` (set D_t) and
 * `rejected.jsonl`, each sample with every verdict and its reason, in the embedded run folder's
 * format. They are written only after the accepted samples were upserted to retrieval, so their
 * presence means "filtered and stored": a redelivered `FilterWork` is answered from them (the same
 * `SampleJudged`s, byte for byte) without running the chain or calling retrieval again. A pair that
 * does not add up (one file missing, a count or a verdict that disagrees) is not trusted: the pass
 * runs again and rewrites both, which the deterministic sample ids make harmless.
 */
import {
  roundQualityText,
  runArtifacts,
  type SampleJudged,
  sampleToWire,
  TOPICS,
  toJsonl,
} from "@isara/contracts";
import { type ArtifactStore, isAccepted, type RoundQuality, type Sample, sampleId } from "@isara/core";
import { type OutgoingMessage, outgoingMessage } from "@isara/kafka-kit";
import type { FilterJob } from "./filter-job.js";
import { readSampleRows } from "./sample-rows.js";

/** A round's judged samples, split by outcome. */
export interface JudgedSets {
  readonly accepted: readonly Sample[];
  readonly rejected: readonly Sample[];
}

function consistent(job: FilterJob, sets: JudgedSets): boolean {
  const { run, round } = job.context;
  const all = [...sets.accepted, ...sets.rejected];
  const slots = new Set(all.map((s) => s.slot));
  return (
    all.length === job.candidateCount &&
    slots.size === all.length &&
    all.every((s) => s.run === run && s.round === round && s.id === sampleId(run, round, s.slot)) &&
    sets.accepted.every(isAccepted) &&
    !sets.rejected.some(isAccepted)
  );
}

/**
 * The stored outcome of the job's round when both files exist and agree with the job (every
 * candidate judged once, verdicts matching their file); `undefined` when the pass must run.
 * @throws IsaraError `invalid_argument` when a file exists but is not JSON Lines of samples (a person
 *   edited it): running again would silently overwrite what they did.
 */
export async function readJudged(artifacts: ArtifactStore, job: FilterJob): Promise<JudgedSets | undefined> {
  const keys = runArtifacts(job.context.run);
  const accepted = await readSampleRows(artifacts, keys.accepted(job.context.round));
  const rejected = await readSampleRows(artifacts, keys.rejected(job.context.round));
  if (accepted === undefined || rejected === undefined) return undefined;
  const sets = { accepted, rejected };
  return consistent(job, sets) ? sets : undefined;
}

/**
 * Writes the round's quality figures, then both sets (each atomically; the sets last, since their
 * presence is what marks the pass done); call only after the accepted samples were upserted.
 */
export async function writeJudged(
  artifacts: ArtifactStore,
  job: FilterJob,
  sets: JudgedSets & { readonly quality: RoundQuality },
): Promise<void> {
  const keys = runArtifacts(job.context.run);
  await artifacts.write(keys.quality(job.context.round), roundQualityText(sets.quality));
  await artifacts.write(keys.rejected(job.context.round), toJsonl(sets.rejected));
  await artifacts.write(keys.accepted(job.context.round), toJsonl(sets.accepted));
}

/** One `SampleJudged` per judged sample, in slot order, keyed by run id with the job's context. */
export function judgedMessages(job: FilterJob, sets: JudgedSets): OutgoingMessage[] {
  return [...sets.accepted, ...sets.rejected]
    .sort((a, b) => a.slot - b.slot)
    .map((sample) => {
      const message: SampleJudged = {
        context: job.context,
        idempotencyKey: sample.id,
        sample: sampleToWire(sample),
        accepted: isAccepted(sample),
      };
      return outgoingMessage(TOPICS.sampleJudged, message);
    });
}
