/**
 * Core's `Sample` (with its lineage) on the wire and back. The conversion is lossless: a sample that
 * goes through `sampleToWire`, the protobuf bytes and `sampleFromWire` is deep-equal to the original,
 * so a sample judged in one service and trained on in another keeps every demo, score and verdict.
 * The two places where proto3 and core differ are handled here once: core's `null` score of a random
 * demo is an unset `optional double`, and absent optional fields stay absent (not `undefined`).
 */
import {
  type DemoRef as CoreDemoRef,
  type FilterVerdict as CoreFilterVerdict,
  type Lineage as CoreLineage,
  type Sample as CoreSample,
  IsaraError,
} from "@isara/core";
import type { DemoRef, FilterVerdict, Lineage } from "./gen/isara/v1/lineage.js";
import type { Sample } from "./gen/isara/v1/sample.js";

/** A core demo reference as a wire `DemoRef` (a `null` score becomes unset). */
export function demoRefToWire(ref: CoreDemoRef): DemoRef {
  return { id: ref.id, setIndex: ref.setIndex, score: ref.score ?? undefined };
}

/** A wire `DemoRef` as core's (an unset score becomes `null`: the demo was picked at random). */
export function demoRefFromWire(ref: DemoRef): CoreDemoRef {
  return { id: ref.id, setIndex: ref.setIndex, score: ref.score ?? null };
}

function verdictToWire(v: CoreFilterVerdict): FilterVerdict {
  return { filter: v.filter, accepted: v.accepted, reason: v.reason, score: v.score };
}

function verdictFromWire(v: FilterVerdict): CoreFilterVerdict {
  const verdict = { filter: v.filter, accepted: v.accepted, reason: v.reason };
  return v.score === undefined ? verdict : { ...verdict, score: v.score };
}

/** Core lineage as a wire `Lineage`. */
export function lineageToWire(lineage: CoreLineage): Lineage {
  return {
    promptDemos: lineage.promptDemos.map(demoRefToWire),
    answerDemos: lineage.answerDemos.map(demoRefToWire),
    promptTemplateVersion: lineage.promptTemplateVersion,
    generatorModel: lineage.generatorModel,
    verdicts: lineage.verdicts.map(verdictToWire),
    trainedBy: lineage.trainedBy,
  };
}

/** A wire `Lineage` as core's. */
export function lineageFromWire(lineage: Lineage): CoreLineage {
  const core: CoreLineage = {
    promptDemos: lineage.promptDemos.map(demoRefFromWire),
    answerDemos: lineage.answerDemos.map(demoRefFromWire),
    promptTemplateVersion: lineage.promptTemplateVersion,
    generatorModel: lineage.generatorModel,
    verdicts: lineage.verdicts.map(verdictFromWire),
  };
  return lineage.trainedBy === undefined ? core : { ...core, trainedBy: lineage.trainedBy };
}

/** A core sample as a wire `Sample`, ready for `Sample.encode`. */
export function sampleToWire(sample: CoreSample): Sample {
  return {
    id: sample.id,
    run: sample.run,
    domain: sample.domain,
    round: sample.round,
    setIndex: sample.setIndex,
    slot: sample.slot,
    prompt: sample.prompt,
    response: sample.response,
    lineage: lineageToWire(sample.lineage),
  };
}

/**
 * A wire `Sample` as core's.
 * @throws IsaraError `invalid_argument` when the sample has no id or no lineage: every sample is
 *   addressed by its deterministic id and must say where it came from; a producer that drops either
 *   is broken, and storing its sample would lose the audit trail.
 */
export function sampleFromWire(sample: Sample): CoreSample {
  if (sample.id === "") {
    throw new IsaraError(
      "invalid_argument",
      `sample at slot ${sample.slot} of run "${sample.run}" round ${sample.round} has no id; set it to sampleId(run, round, slot)`,
    );
  }
  if (sample.lineage === undefined) {
    throw new IsaraError(
      "invalid_argument",
      `sample ${sample.id} has no lineage; a producer must send its demos, template, generator and verdicts`,
    );
  }
  return {
    id: sample.id,
    run: sample.run,
    domain: sample.domain,
    round: sample.round,
    setIndex: sample.setIndex,
    slot: sample.slot,
    prompt: sample.prompt,
    response: sample.response,
    lineage: lineageFromWire(sample.lineage),
  };
}
