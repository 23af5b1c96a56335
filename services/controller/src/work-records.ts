/**
 * Work and run events as Kafka records: each on its catalogue topic, keyed by run id, with the run
 * context in the headers (kafka-kit's `outgoingMessage`).
 */
import { type RunContext, runEventToWire, TOPICS } from "@isara/contracts";
import type { RunEvent } from "@isara/core";
import { type OutgoingMessage, outgoingMessage } from "@isara/kafka-kit";
import type { Work } from "./work-plan.js";

/** Sends records and resolves once the broker has them all; rejects when it cannot. */
export type Publish = (records: readonly OutgoingMessage[]) => Promise<void>;

/** A work message as its record on the phase's work topic. */
export function workRecord(work: Work): OutgoingMessage {
  switch (work.phase) {
    case "prompts":
      return outgoingMessage(TOPICS.promptWork, work.message);
    case "answers":
      return outgoingMessage(TOPICS.answerWork, work.message);
    case "filter":
      return outgoingMessage(TOPICS.filterWork, work.message);
    case "train":
      return outgoingMessage(TOPICS.trainWork, work.message);
    case "evaluate":
      return outgoingMessage(TOPICS.evalWork, work.message);
  }
}

/**
 * A core run event as its record on `isara.run.events`. A phase-completed event is keyed
 * `<run>/<round>/<phase>`; the others need `key` (the request or dead letter that caused them).
 */
export function runEventRecord(event: RunEvent, context: RunContext, key?: string): OutgoingMessage {
  return outgoingMessage(TOPICS.runEvents, runEventToWire(event, context, key));
}
