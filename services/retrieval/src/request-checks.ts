/**
 * Checks of incoming RetrievalService requests. Every refusal is an `invalid_argument` IsaraError
 * whose message names the field and says what to send instead, so the caller (a generation or
 * filtering worker, or a person with grpcurl) can fix the request without reading this code.
 * Nothing is stored or embedded until a whole request has passed.
 */
import type { RunContext, Vector } from "@isara/contracts";
import { IsaraError } from "@isara/core";

/** Longest text accepted (the contract's limit): longer prompts are truncated by the model anyway. */
export const MAX_TEXT_CHARS = 20_000;
/** Most texts or samples in one call: bounds memory and the time one call holds the embedder. */
export const MAX_ITEMS_PER_CALL = 1024;
/** Most demos one SelectDemos may ask for in total; K is 8 in the paper. */
export const MAX_TOTAL_DEMOS = 256;
/** Longest run name accepted. */
const MAX_RUN_CHARS = 256;

function refuse(message: string): never {
  throw new IsaraError("invalid_argument", message);
}

/** The call's run context, required and with a run; returns it with the run checked. */
export function requireContext(context: RunContext | undefined): RunContext {
  if (context === undefined) {
    return refuse("context is missing; set context.run (and domain, round) to the run this call is for");
  }
  if (context.run.trim() === "")
    return refuse("context.run is empty; set it to the id of the run this call is for");
  if (context.run.length > MAX_RUN_CHARS || context.run.includes("\0")) {
    return refuse(`context.run must be at most ${MAX_RUN_CHARS} characters without NUL bytes`);
  }
  return context;
}

/** Checks that a text is not longer than {@link MAX_TEXT_CHARS}. */
export function checkLength(text: string, field: string): void {
  if (text.length > MAX_TEXT_CHARS) {
    refuse(`${field} has ${text.length} characters; the limit is ${MAX_TEXT_CHARS}, shorten it`);
  }
}

/** Checks one text to embed or search with: not blank, not longer than {@link MAX_TEXT_CHARS}. */
export function checkText(text: string, field: string): void {
  if (text.trim() === "") refuse(`${field} is empty; every text needs at least one non-space character`);
  checkLength(text, field);
}

/** Checks a list of texts to embed: at least one, at most {@link MAX_ITEMS_PER_CALL}, each valid. */
export function checkTexts(texts: readonly string[]): void {
  if (texts.length === 0) refuse("texts is empty; send at least one text to embed");
  checkCount(texts.length, "texts");
  texts.forEach((text, i) => {
    checkText(text, `texts[${i}]`);
  });
}

/** Checks that a repeated field is not longer than {@link MAX_ITEMS_PER_CALL}. */
export function checkCount(count: number, field: string): void {
  if (count > MAX_ITEMS_PER_CALL) {
    refuse(`${field} has ${count} entries; send at most ${MAX_ITEMS_PER_CALL} per call and split the rest`);
  }
}

/**
 * A wire vector as a Float32Array of `dimension` finite values.
 * @param model the embedding model id, named in the message so the caller knows which model to use.
 */
export function vectorFromWire(
  vector: Vector,
  dimension: number,
  model: string,
  field: string,
): Float32Array {
  if (vector.values.length !== dimension) {
    refuse(
      `${field} has ${vector.values.length} values but the service's embedding model ${model} gives ` +
        `${dimension}; embed with the same model (see Embed's model_id) or leave the vector out`,
    );
  }
  if (!vector.values.every(Number.isFinite)) refuse(`${field} contains NaN or infinity`);
  return Float32Array.from(vector.values);
}

/** Checks SelectDemos quotas: one non-negative entry per set, not too many demos in total. */
export function checkQuotas(quotas: readonly number[]): void {
  if (quotas.length === 0) {
    refuse("quotas is empty; give one quota per set, quotas[0] for the seeds (see core's demoQuotas)");
  }
  const total = quotas.reduce((sum, q) => sum + q, 0);
  if (total > MAX_TOTAL_DEMOS) {
    refuse(`quotas ask for ${total} demos in total; at most ${MAX_TOTAL_DEMOS} fit in one prompt budget`);
  }
}
