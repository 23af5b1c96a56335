/**
 * The round's training dataset, built as the embedded mode's train phase builds it
 * (`packages/embedded/src/phases.ts`, `runTrain`): the seeds as set 0 (core's `seedSamples` over the
 * domain snapshot, validated by core's `parseDomainFiles` exactly as an embedded run reads its
 * domain folder), followed, for ISARA's "seeds+round", by the round's accepted set D_t in its file
 * order; one `{prompt, response}` row each. The trainer formats every row in the conversation wrapper
 * and puts the loss on the response only (docs/trainer.md), so the rows carry nothing else.
 */
import { runArtifacts } from "@isara/contracts";
import {
  type ArtifactStore,
  type ConversationPair,
  type Domain,
  IsaraError,
  parseJsonl,
  seedSamples,
} from "@isara/core";
import type { TrainJob } from "./train-job.js";

async function readText(artifacts: ArtifactStore, key: string, what: string): Promise<string> {
  const bytes = await artifacts.read(key);
  if (bytes === undefined)
    throw new IsaraError("not_found", `${key} is missing from the artifact store; ${what}`, { key });
  return new TextDecoder().decode(bytes);
}

function pairOf(value: unknown): ConversationPair | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { prompt, response } = value as Record<string, unknown>;
  return typeof prompt === "string" && typeof response === "string" ? { prompt, response } : undefined;
}

/**
 * The round's accepted set D_t as training rows, from `<run>/round-<t>/accepted.jsonl` (written by the
 * controller when the filter phase completed, before it sent the TrainWork; empty when nothing passed).
 * @throws IsaraError `not_found` when the file is missing; `invalid_argument` naming every line that is
 *   not a sample with a prompt and a response: training on part of the set would be a silent error.
 */
export async function readAcceptedSet(
  artifacts: ArtifactStore,
  run: string,
  round: number,
): Promise<ConversationPair[]> {
  const key = runArtifacts(run).accepted(round);
  const text = await readText(
    artifacts,
    key,
    "the controller writes the round's accepted set when its filter phase completes, before it asks for training",
  );
  const { rows, problems } = parseJsonl(text, key);
  const bad = problems.map((p) => `${key} line ${p.line}: ${p.problem}`);
  const pairs: ConversationPair[] = [];
  for (const row of rows) {
    const pair = pairOf(row.value);
    if (pair === undefined) bad.push(`${key} line ${row.line}: not a sample with string prompt and response`);
    else pairs.push(pair);
  }
  if (bad.length > 0) {
    throw new IsaraError(
      "invalid_argument",
      `the accepted set ${key} is unreadable: ${bad.slice(0, 5).join("; ")}`,
      bad,
    );
  }
  return pairs;
}

/**
 * The rows of `job`'s round: the seeds of `domain` (the run's domain snapshot), then (for
 * "seeds+round") the round's accepted set.
 */
export async function trainingRows(
  artifacts: ArtifactStore,
  job: TrainJob,
  domain: Domain,
): Promise<ConversationPair[]> {
  const { run, round } = job.context;
  const rows: ConversationPair[] = seedSamples(run, domain.config.name, domain.seeds).map(
    ({ prompt, response }) => ({
      prompt,
      response,
    }),
  );
  if (job.request.data === "seeds+round") rows.push(...(await readAcceptedSet(artifacts, run, round)));
  return rows;
}
