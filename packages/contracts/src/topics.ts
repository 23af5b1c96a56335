/**
 * The Kafka topic catalogue as data: every topic's name, message type, producer, consumers,
 * partitions, retention and dead-letter topic. Services create and read topics from here, so a name
 * is spelled once; docs/topics.md is the same table for people, and a test keeps the two in step.
 *
 * Every topic is keyed by run id (`topicKey`): one run's messages stay in order on one partition, and
 * runs spread over partitions, so one busy domain cannot starve another. Every consuming stage has
 * one dead-letter topic for the messages it gave up on.
 */
import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import {
  AnswerWork,
  AnswerWritten,
  DeadLetter,
  EvalDone,
  EvalWork,
  FilterWork,
  PromptWork,
  PromptWritten,
  RunEvent,
  SampleJudged,
  TrainDone,
  TrainWork,
} from "./gen/isara/v1/topics.js";

/** Encoder and decoder of one message type (the generated `Foo` const of message `Foo`). */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

/** One topic of the catalogue. */
export interface TopicSpec<T> {
  /** Kafka topic name. */
  readonly name: string;
  /** Full protobuf name of the value, e.g. `isara.v1.PromptWork`. */
  readonly message: string;
  /** Encodes and decodes the value. */
  readonly codec: MessageCodec<T>;
  /** Service that writes the topic. */
  readonly producer: string;
  /** Services (consumer groups) that read it. */
  readonly consumers: readonly string[];
  /** Partitions the topic is created with; more partitions let more runs proceed in parallel. */
  readonly partitions: number;
  /** How long Kafka keeps a message, in days. */
  readonly retentionDays: number;
  /** Where its consumers put messages they give up on; `null` for the dead-letter topics themselves. */
  readonly deadLetter: string | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `retention.ms` of a topic, as Kafka's topic config wants it. */
export function retentionMs(topic: TopicSpec<unknown>): number {
  return topic.retentionDays * DAY_MS;
}

type Defaulted = "partitions" | "retentionDays";

/** A work or result topic: 12 partitions and 7 days unless said otherwise. */
function work<T>(spec: Omit<TopicSpec<T>, Defaulted> & Partial<Pick<TopicSpec<T>, Defaulted>>): TopicSpec<T> {
  return { partitions: 12, retentionDays: 7, ...spec };
}

/**
 * The dead-letter topic of a consuming stage: 30 days, so a person has time to fix and replay. The
 * controller reads the work stages' ones to fail the run the message belonged to; the controller's
 * and gateway's own are read by people only.
 */
function deadLetter(stage: string, producer: string, consumers: readonly string[]): TopicSpec<DeadLetter> {
  return {
    name: `isara.${stage}.dlq`,
    message: "isara.v1.DeadLetter",
    codec: DeadLetter,
    producer,
    consumers,
    partitions: 3,
    retentionDays: 30,
    deadLetter: null,
  };
}

/** Every topic of the distributed mode, by role. */
export const TOPICS = {
  promptWork: work({
    name: "isara.prompts.work",
    message: "isara.v1.PromptWork",
    codec: PromptWork,
    producer: "controller",
    consumers: ["generation"],
    deadLetter: "isara.prompts.dlq",
  }),
  promptWritten: work({
    name: "isara.prompts.written",
    message: "isara.v1.PromptWritten",
    codec: PromptWritten,
    producer: "generation",
    consumers: ["controller"],
    deadLetter: "isara.controller.dlq",
  }),
  answerWork: work({
    name: "isara.answers.work",
    message: "isara.v1.AnswerWork",
    codec: AnswerWork,
    producer: "controller",
    consumers: ["generation"],
    deadLetter: "isara.answers.dlq",
  }),
  answerWritten: work({
    name: "isara.answers.written",
    message: "isara.v1.AnswerWritten",
    codec: AnswerWritten,
    producer: "generation",
    consumers: ["controller"],
    deadLetter: "isara.controller.dlq",
  }),
  filterWork: work({
    name: "isara.filter.work",
    message: "isara.v1.FilterWork",
    codec: FilterWork,
    producer: "controller",
    consumers: ["filtering"],
    deadLetter: "isara.filter.dlq",
  }),
  sampleJudged: work({
    name: "isara.samples.judged",
    message: "isara.v1.SampleJudged",
    codec: SampleJudged,
    producer: "filtering",
    consumers: ["controller"],
    deadLetter: "isara.controller.dlq",
  }),
  trainWork: work({
    name: "isara.train.work",
    message: "isara.v1.TrainWork",
    codec: TrainWork,
    producer: "controller",
    consumers: ["training-dispatch"],
    deadLetter: "isara.train.dlq",
  }),
  trainDone: work({
    name: "isara.train.done",
    message: "isara.v1.TrainDone",
    codec: TrainDone,
    producer: "training-dispatch",
    consumers: ["controller"],
    deadLetter: "isara.controller.dlq",
  }),
  evalWork: work({
    name: "isara.eval.work",
    message: "isara.v1.EvalWork",
    codec: EvalWork,
    producer: "controller",
    consumers: ["evaluation"],
    deadLetter: "isara.eval.dlq",
  }),
  evalDone: work({
    name: "isara.eval.done",
    message: "isara.v1.EvalDone",
    codec: EvalDone,
    producer: "evaluation",
    consumers: ["controller"],
    deadLetter: "isara.controller.dlq",
  }),
  runEvents: work({
    name: "isara.run.events",
    message: "isara.v1.RunEvent",
    codec: RunEvent,
    producer: "controller",
    consumers: ["gateway"],
    retentionDays: 30,
    deadLetter: "isara.gateway.dlq",
  }),
  promptsDeadLetter: deadLetter("prompts", "generation", ["controller"]),
  answersDeadLetter: deadLetter("answers", "generation", ["controller"]),
  filterDeadLetter: deadLetter("filter", "filtering", ["controller"]),
  trainDeadLetter: deadLetter("train", "training-dispatch", ["controller"]),
  evalDeadLetter: deadLetter("eval", "evaluation", ["controller"]),
  controllerDeadLetter: deadLetter("controller", "controller", []),
  gatewayDeadLetter: deadLetter("gateway", "gateway", []),
} as const;

/** Every topic, in catalogue order (e.g. to create them all at start). */
export const TOPIC_LIST: readonly TopicSpec<unknown>[] = Object.values(
  TOPICS,
) as readonly TopicSpec<unknown>[];
