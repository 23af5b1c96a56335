/**
 * @isara/gateway: the REST API of the distributed mode as a library, for `main.ts` and for tests that
 * run the gateway in process (end-to-end tests across services included).
 */

export * from "./app.js";
export * from "./artifact-volume.js";
export * from "./config.js";
export * from "./controller-calls.js";
export * from "./domain-store.js";
export * from "./openapi-info.js";
export { createValidatorCompiler } from "./request-validators.js";
export { createRunBodySchema } from "./run-schemas.js";
export * from "./run-view.js";
export * from "./sample-pages.js";
export * from "./tenant-scope.js";
export * from "./token-table.js";
