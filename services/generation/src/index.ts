/**
 * @isara/generation: the generation stage of the distributed mode as a library, for `main.ts` and
 * for tests that run the service in process (end-to-end tests across services included).
 */
export * from "./answer-work-handler.js";
export * from "./app.js";
export * from "./config.js";
export * from "./demo-source.js";
export * from "./generation-job.js";
export * from "./prompt-work-handler.js";
export * from "./service-metrics.js";
export * from "./slot-record.js";
export * from "./slot-writer.js";
