import { IsaraError, type Lineage, type Sample } from "@isara/core";
import { Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from "apache-arrow";

/** Columns of the samples table, in order. `lineage` holds the sample's full lineage as JSON text. */
export const SAMPLE_COLUMNS = [
  "id",
  "run",
  "domain",
  "round",
  "setIndex",
  "slot",
  "prompt",
  "response",
  "lineage",
] as const;

/** Name of the embedding column (LanceDB's default vector column name). */
export const VECTOR_COLUMN = "vector";

/**
 * The Arrow schema of the samples table for `dimension`-d prompt embeddings. Everything a Sample
 * holds is stored, so a sample read back is the sample written, lineage included.
 */
export function sampleSchema(dimension: number): Schema {
  const text = (name: string) => new Field(name, new Utf8(), false);
  const int = (name: string) => new Field(name, new Int32(), false);
  return new Schema([
    text("id"),
    text("run"),
    text("domain"),
    int("round"),
    int("setIndex"),
    int("slot"),
    text("prompt"),
    text("response"),
    text("lineage"),
    new Field(VECTOR_COLUMN, new FixedSizeList(dimension, new Field("item", new Float32(), true)), false),
  ]);
}

/** The table row of a sample and its embedding. */
export function toRow(sample: Sample, vector: Float32Array): Record<string, unknown> {
  return {
    id: sample.id,
    run: sample.run,
    domain: sample.domain,
    round: sample.round,
    setIndex: sample.setIndex,
    slot: sample.slot,
    prompt: sample.prompt,
    response: sample.response,
    lineage: JSON.stringify(sample.lineage),
    [VECTOR_COLUMN]: vector,
  };
}

/** The sample stored in a table row; a row whose lineage is not JSON is reported, not guessed at. */
export function fromRow(row: Record<string, unknown>): Sample {
  let lineage: Lineage;
  try {
    lineage = JSON.parse(String(row.lineage)) as Lineage;
  } catch (err) {
    throw new IsaraError(
      "internal",
      `sample ${String(row.id)} has unreadable lineage in the vector store`,
      undefined,
      {
        cause: err,
      },
    );
  }
  return {
    id: String(row.id),
    run: String(row.run),
    domain: String(row.domain),
    round: Number(row.round),
    setIndex: Number(row.setIndex),
    slot: Number(row.slot),
    prompt: String(row.prompt),
    response: String(row.response),
    lineage,
  };
}
