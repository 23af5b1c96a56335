export * from "./start-retrieval.js";
