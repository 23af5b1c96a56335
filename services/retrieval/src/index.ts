/**
 * @isara/retrieval: the retrieval service of the distributed mode (RetrievalService over gRPC).
 * Exported for end-to-end tests and tools that run the service in process; `main.ts` is the entry.
 */
export * from "./app.js";
export * from "./config.js";
export * from "./page-token.js";
export * from "./request-checks.js";
