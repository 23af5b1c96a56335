import { IsaraError, type Lineage, type Sample } from "@isara/core";

/**
 * Payload fields that get a Qdrant payload index, with their index schema. `run` is the tenant field
 * (`is_tenant`: Qdrant keeps each run's points together on disk and plans filtered queries per run);
 * `setIndex` and `round` take exact-match lookups only, since stores filter on equality.
 */
export const PAYLOAD_INDEXES = [
  { field: "run", schema: { type: "keyword", is_tenant: true } },
  { field: "setIndex", schema: { type: "integer", lookup: true, range: false } },
  { field: "round", schema: { type: "integer", lookup: true, range: false } },
] as const;

/** What a point's payload holds: the whole sample, lineage as a nested JSON object. */
export type SamplePayload = Record<string, unknown>;

/**
 * The payload of a sample's point: every field of the sample under its own name (`id` is the sample
 * id; the point id is a UUID derived from it), so a sample read back is the sample written and
 * operators can filter on any field in Qdrant's console. Lineage is stored as nested JSON rather than
 * a string, so `lineage.generatorModel` is queryable there too.
 */
export function toPayload(sample: Sample): SamplePayload {
  return {
    id: sample.id,
    run: sample.run,
    domain: sample.domain,
    round: sample.round,
    setIndex: sample.setIndex,
    slot: sample.slot,
    prompt: sample.prompt,
    response: sample.response,
    // JSON round trip: drops `undefined` fields exactly as Qdrant's JSON storage would.
    lineage: JSON.parse(JSON.stringify(sample.lineage)) as unknown,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The sample a point's payload holds. A payload that is not one this adapter wrote (a field missing
 * or of the wrong type, e.g. a point written by another tool into the collection) is reported as
 * `internal` naming the point and the field, instead of handing a half-sample to the core.
 */
export function fromPayload(pointId: string | number, payload: unknown): Sample {
  const broken = (why: string): never => {
    throw new IsaraError(
      "internal",
      `Qdrant point ${pointId} is not an ISARA sample (${why}); was the collection written by another tool?`,
    );
  };
  if (!isRecord(payload)) return broken("it has no payload");
  const text = (field: string): string => {
    const value = payload[field];
    return typeof value === "string" ? value : broken(`payload field ${field} is not a string`);
  };
  const int = (field: string): number => {
    const value = payload[field];
    return Number.isInteger(value) ? (value as number) : broken(`payload field ${field} is not an integer`);
  };
  const lineage = payload.lineage;
  if (!isRecord(lineage)) return broken("payload field lineage is not an object");
  return {
    id: text("id"),
    run: text("run"),
    domain: text("domain"),
    round: int("round"),
    setIndex: int("setIndex"),
    slot: int("slot"),
    prompt: text("prompt"),
    response: text("response"),
    lineage: lineage as unknown as Lineage,
  };
}
