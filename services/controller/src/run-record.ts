/**
 * What the controller keeps about a run besides core's run state (`<run>/state.json`, the embedded
 * format): the spec it was created from, the base model it resolved, when and by which request it was
 * created. Written once, before the state, at `<run>/controller/run.json`; its slot logs (one per
 * phase of each round, see slot-log.ts) live beside it under `<run>/controller/`.
 */
import { runArtifacts } from "@isara/contracts";
import { IsaraError, type Phase, runModeSchema } from "@isara/core";
import { z } from "zod";
import { resolveTenant } from "./admission.js";
import type { CheckedSpec } from "./run-spec.js";

/** Version of the record format; a record of another version is refused, not guessed at. */
export const RUN_RECORD_VERSION = 1;

const count = z.number().int().min(0);

const runRecordSchema = z.strictObject({
  schemaVersion: z.literal(RUN_RECORD_VERSION),
  runId: z.string().min(1),
  spec: z.strictObject({
    domain: z.string().min(1),
    source: z.string(),
    mode: runModeSchema,
    overrides: z.strictObject({
      rounds: count.optional(),
      promptsPerRound: count.optional(),
      demos: count.optional(),
      seed: count.optional(),
      baseModel: z.string().min(1).optional(),
    }),
  }),
  baseModel: z.string().min(1),
  createdAt: z.iso.datetime(),
  correlationId: z.string(),
  /** The tenant the run counts under for admission; absent in records written before tenants. */
  tenant: z.string().optional(),
});

/** A run's controller record. */
export type RunRecord = z.infer<typeof runRecordSchema>;

/** The record of a new run. */
export function newRunRecord(input: {
  runId: string;
  spec: CheckedSpec;
  baseModel: string;
  createdAt: Date;
  correlationId: string;
  /** The resolved tenant (admission.ts `resolveTenant`). */
  tenant: string;
}): RunRecord {
  const { domain, source, mode, overrides } = input.spec;
  return {
    schemaVersion: RUN_RECORD_VERSION,
    runId: input.runId,
    spec: { domain, source, mode, overrides: { ...overrides } },
    baseModel: input.baseModel,
    createdAt: input.createdAt.toISOString(),
    correlationId: input.correlationId,
    tenant: input.tenant,
  };
}

/** The tenant a run counts under: its record's, else (records from before tenants) its id's prefix. */
export function tenantOfRecord(record: RunRecord): string {
  return record.tenant ?? resolveTenant(record.runId, "");
}

/**
 * Validates a loaded record.
 * @throws IsaraError `failed_precondition` listing the problems: a run whose record does not read
 *   cannot be driven safely, and a person must look at it.
 */
export function parseRunRecord(json: unknown): RunRecord {
  const parsed = runRecordSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new IsaraError("failed_precondition", `run record is malformed: ${problems.join("; ")}`, problems);
  }
  return parsed.data;
}

/** Keys of the controller's own files of a run. */
export function controllerKeys(run: string) {
  const root = `${runArtifacts(run).root}controller/`;
  return {
    record: `${root}run.json`,
    /** Results received for one phase of one round, one JSON line per slot, in arrival order. */
    slotLog: (round: number, phase: Phase) => `${root}round-${round}/${phase}.jsonl`,
  } as const;
}
