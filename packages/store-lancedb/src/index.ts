/**
 * @isara/store-lancedb: the VectorStore port on local disk (LanceDB), for the embedded wiring.
 * The reusable VectorStore test suite is exported separately as `@isara/store-lancedb/contract`.
 */
export * from "./lance-vector-store.js";
export * from "./sample-filter.js";
export * from "./sample-row.js";
