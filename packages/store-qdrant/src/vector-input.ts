import { IsaraError, type Sample } from "@isara/core";

/**
 * Checks that `vector` is a `dimension`-long Float32Array of finite numbers, before anything is sent.
 * A wrong length means the embedder and the collection disagree (another model), which must stop the
 * caller with a message that says so, not fail deep inside Qdrant with a generic 400.
 */
export function checkVector(vector: unknown, dimension: number, what: string): Float32Array {
  if (!(vector instanceof Float32Array)) {
    throw new IsaraError("invalid_argument", `${what} must be a Float32Array`);
  }
  if (vector.length !== dimension) {
    throw new IsaraError(
      "invalid_argument",
      `${what} has ${vector.length} dimensions but this Qdrant collection holds ${dimension}-d vectors; ` +
        "embed with the model the collection was created with, or use another collection",
      { expected: dimension, got: vector.length },
    );
  }
  if (!vector.every(Number.isFinite)) {
    throw new IsaraError("invalid_argument", `${what} contains NaN or infinity`);
  }
  return vector;
}

const INT32_MAX = 2 ** 31 - 1;

/** Checks the fields the store relies on (id, run, positions, lineage); the rest is stored as given. */
export function checkSample(sample: Sample, index: number): void {
  const bad = (why: string): never => {
    throw new IsaraError("invalid_argument", `samples[${index}] (id ${JSON.stringify(sample?.id)}) ${why}`);
  };
  if (typeof sample?.id !== "string" || sample.id === "") bad("has no id");
  if (typeof sample.run !== "string" || sample.run === "") bad("has no run");
  if (sample.run.includes("\0") || sample.id.includes("\0")) bad("has a NUL byte in its run or id");
  if (typeof sample.domain !== "string") bad("has no domain");
  if (typeof sample.prompt !== "string" || typeof sample.response !== "string")
    bad("needs string prompt and response");
  for (const field of ["round", "setIndex", "slot"] as const) {
    const v = sample[field];
    if (!Number.isInteger(v) || v < 0 || v > INT32_MAX) bad(`has ${field} ${v}, not a non-negative integer`);
  }
  if (typeof sample.lineage !== "object" || sample.lineage === null) bad("has no lineage");
}
