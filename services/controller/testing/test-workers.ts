/**
 * TEST DOUBLE (not exported): stands in for the stage services (generation, filtering,
 * training-dispatch, evaluation), which are separate deployables outside this package. Given a work
 * record the controller published, it answers with the result record(s) a stage would publish:
 * deterministic text for prompts and answers, a filter that accepts even slots and rejects odd ones
 * with a reason (reading the round's candidates file the controller wrote, as the filtering service
 * does), a training result with an adapter under the round's train folder, and evaluation metrics.
 * The controller's tests drive whole runs with it, in memory or over a real Kafka broker.
 */
import { decodeTopicMessage, fromJsonl, type ModelRef, sampleToWire, TOPICS } from "@isara/contracts";
import { type ArtifactStore, IsaraError, PROMPT_TEMPLATE_VERSION, type Sample, sampleId } from "@isara/core";
import { type OutgoingMessage, outgoingMessage } from "@isara/kafka-kit";
import {
  fromAnswerWritten,
  fromDeadLetter,
  fromEvalDone,
  fromPromptWritten,
  fromSampleJudged,
  fromTrainDone,
  type Incoming,
} from "../src/result-intake.js";

/** A work record as read from Kafka or as the controller published it. */
/** The five work topics the stage services read, which a test double of them subscribes to. */
export const WORK_TOPIC_NAMES = [
  TOPICS.promptWork,
  TOPICS.answerWork,
  TOPICS.filterWork,
  TOPICS.trainWork,
  TOPICS.evalWork,
].map((t) => t.name);

export interface WorkRecord {
  readonly topic: string;
  readonly value: Buffer;
}

function generator(model: ModelRef | undefined): string {
  if (model === undefined) return "unknown";
  return model.adapter === undefined ? model.baseModel : `${model.baseModel}+${model.adapter}`;
}

/** The result records of one work record (none for a record of another topic). */
export async function respondTo(record: WorkRecord, artifacts: ArtifactStore): Promise<OutgoingMessage[]> {
  switch (record.topic) {
    case TOPICS.promptWork.name: {
      const w = decodeTopicMessage(TOPICS.promptWork, record.value);
      const run = w.context?.run ?? "";
      return [
        outgoingMessage(TOPICS.promptWritten, {
          context: w.context,
          idempotencyKey: w.idempotencyKey,
          slot: w.slot,
          prompt: `Written question ${w.slot} of round ${w.context?.round}: what would a careful person check?`,
          promptDemos: [{ id: sampleId(run, 0, w.slot % 8), setIndex: 0 }],
          droppedDemos: 0,
          truncated: false,
          generatorModel: generator(w.model),
        }),
      ];
    }
    case TOPICS.answerWork.name: {
      const w = decodeTopicMessage(TOPICS.answerWork, record.value);
      const c = w.context;
      if (c === undefined) throw new IsaraError("invalid_argument", "AnswerWork without context");
      const candidate: Sample = {
        id: w.idempotencyKey,
        run: c.run,
        domain: c.domain,
        round: c.round,
        setIndex: c.round,
        slot: w.slot,
        prompt: w.prompt,
        response: `A careful person checks question ${w.slot} against two sources before answering.`,
        lineage: {
          promptDemos: w.promptDemos.map((d) => ({ id: d.id, setIndex: d.setIndex, score: null })),
          answerDemos: [],
          promptTemplateVersion: PROMPT_TEMPLATE_VERSION,
          generatorModel: generator(w.model),
          verdicts: [],
        },
      };
      return [
        outgoingMessage(TOPICS.answerWritten, {
          context: c,
          idempotencyKey: w.idempotencyKey,
          candidate: sampleToWire(candidate),
          truncated: false,
        }),
      ];
    }
    case TOPICS.filterWork.name: {
      const w = decodeTopicMessage(TOPICS.filterWork, record.value);
      const bytes = await artifacts.read(w.candidatesKey);
      const rows = bytes === undefined ? [] : fromJsonl<Sample>(new TextDecoder().decode(bytes));
      if (rows.length !== w.candidateCount) {
        throw new IsaraError(
          "failed_precondition",
          `${w.candidatesKey} has ${rows.length} rows, FilterWork says ${w.candidateCount}`,
        );
      }
      return rows.map((c) => {
        const accepted = c.slot % 2 === 0;
        const verdict = {
          filter: "min-words",
          accepted,
          reason: accepted ? "long enough" : "odd slots are too short here",
        };
        const sample: Sample = { ...c, lineage: { ...c.lineage, verdicts: [verdict] } };
        return outgoingMessage(TOPICS.sampleJudged, {
          context: w.context,
          idempotencyKey: c.id,
          sample: sampleToWire(sample),
          accepted,
        });
      });
    }
    case TOPICS.trainWork.name: {
      const w = decodeTopicMessage(TOPICS.trainWork, record.value);
      return [
        outgoingMessage(TOPICS.trainDone, {
          context: w.context,
          idempotencyKey: w.idempotencyKey,
          outcome: {
            $case: "result",
            value: {
              summary: { adapter: w.outputKey, finalLoss: 0.5, steps: 3 },
              adapterDir: `${w.outputKey}/adapter`,
              ggufAdapterPath: `${w.outputKey}/adapter.gguf`,
              losses: [1, 0.7, 0.5],
            },
          },
        }),
      ];
    }
    case TOPICS.evalWork.name: {
      const w = decodeTopicMessage(TOPICS.evalWork, record.value);
      const round = w.context?.round ?? 0;
      return [
        outgoingMessage(TOPICS.evalDone, {
          context: w.context,
          idempotencyKey: w.idempotencyKey,
          outcome: {
            $case: "result",
            value: {
              metrics: { values: { rougeL_diff: 0.1 * round, rougeL_acc: 0.5 } },
              resultsKey: w.resultsKey,
              items: 2,
            },
          },
        }),
      ];
    }
    default:
      return [];
  }
}

/** A result record as the controller's intake reads it (the consumer's topic-to-check mapping). */
export function incomingOf(record: WorkRecord): Incoming {
  switch (record.topic) {
    case TOPICS.promptWritten.name:
      return fromPromptWritten(decodeTopicMessage(TOPICS.promptWritten, record.value));
    case TOPICS.answerWritten.name:
      return fromAnswerWritten(decodeTopicMessage(TOPICS.answerWritten, record.value));
    case TOPICS.sampleJudged.name:
      return fromSampleJudged(decodeTopicMessage(TOPICS.sampleJudged, record.value));
    case TOPICS.trainDone.name:
      return fromTrainDone(decodeTopicMessage(TOPICS.trainDone, record.value));
    case TOPICS.evalDone.name:
      return fromEvalDone(decodeTopicMessage(TOPICS.evalDone, record.value));
    default:
      return fromDeadLetter(decodeTopicMessage(TOPICS.promptsDeadLetter, record.value));
  }
}
