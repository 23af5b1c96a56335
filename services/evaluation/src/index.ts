/**
 * @isara/evaluation: the evaluation stage of the distributed mode as a library, for `main.ts` and for
 * tests that run the service in process (end-to-end tests across services included).
 */

export * from "@isara/contracts";
export * from "./app.js";
export * from "./completion-record.js";
export * from "./config.js";
export * from "./eval-job.js";
export * from "./eval-work-handler.js";
export * from "./service-metrics.js";
