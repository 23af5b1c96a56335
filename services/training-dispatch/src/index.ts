/**
 * @isara/training-dispatch: the training stage of the distributed mode as a library, for `main.ts`
 * and for tests that run the service in process (end-to-end tests across services included).
 */

export * from "./app.js";
export * from "./base-model.js";
export * from "./completion-record.js";
export * from "./config.js";
export * from "./service-metrics.js";
export * from "./train-job.js";
export * from "./train-work-handler.js";
export * from "./trainer-failure.js";
export * from "./trainer-log.js";
export * from "./trainer-process.js";
export * from "./training-dataset.js";
