/**
 * @isara/store-qdrant: the VectorStore port on a Qdrant server, for the distributed mode. Every run's
 * samples share one collection, filtered by the `run` tenant field; see README.md for the reasons.
 */
export * from "./point-id.js";
export * from "./qdrant-errors.js";
export * from "./qdrant-vector-store.js";
export * from "./sample-filter.js";
export * from "./sample-payload.js";
