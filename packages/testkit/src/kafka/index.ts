export * from "./kafka-scripts.js";
export * from "./kafka-skip-reason.js";
export { isBrokerProcess } from "./leftover-brokers.js";
export * from "./record-batches.js";
export * from "./start-kafka.js";
export * from "./topic-observer.js";
