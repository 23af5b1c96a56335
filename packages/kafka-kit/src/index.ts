/**
 * @isara/kafka-kit: what every Kafka-driven ISARA service shares, on top of `@isara/contracts`' topic
 * catalogue and `@isara/kit`: topics created from the catalogue (`ensureTopics`), a producer that
 * partitions like the JVM clients, one way to send records (`sendInChunks`: under the broker's size
 * limit whatever their number), the one consumer loop (`createConsumerLoop`; the stage consumer,
 * generation's batch consumer and the controller's result consumer are all made of it) that carries
 * the delivery rules of docs/topics.md (commit after effects, retry transient failures in place, wait
 * out a broker that is away, dead-letter poison with the reason, drain on shutdown, restart after any
 * crash), and the skeleton of a stage service: its shared environment
 * variables (`stageServiceEnv`), its app wiring (`createStageService`) and its process
 * (`runStageMain`). Kept out of `@isara/contracts` (wire types, no client) and `@isara/kit`
 * (transport-neutral) so that only services that talk to Kafka depend on kafkajs.
 */
export * from "./broker-outage.js";
export * from "./broker-wait.js";
export * from "./chunked-send.js";
export * from "./consumer-lag.js";
export * from "./consumer-loop.js";
export * from "./crash-restart.js";
export * from "./dead-letter.js";
export * from "./ensure-topics.js";
export * from "./kafka-failure.js";
export * from "./kafka-logging.js";
export * from "./limiter.js";
export * from "./message-processor.js";
export * from "./outgoing-message.js";
export * from "./producer.js";
export * from "./retry-policy.js";
export * from "./run-stage-main.js";
export * from "./stage-consumer.js";
export * from "./stage-metrics.js";
export * from "./stage-service.js";
export * from "./stage-service-env.js";
