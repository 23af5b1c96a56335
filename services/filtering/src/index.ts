/**
 * @isara/filtering: the filter stage of the distributed mode as a library, for `main.ts` and for
 * tests that run the service in process (end-to-end tests across services included).
 */
export * from "./app.js";
export * from "./config.js";
export * from "./filter-job.js";
export * from "./filter-work-handler.js";
export * from "./judged-outputs.js";
export * from "./retrieval-client.js";
export * from "./retrieval-ports.js";
export * from "./run-inputs.js";
export * from "./sample-rows.js";
export * from "./service-metrics.js";
