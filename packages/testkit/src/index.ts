export * from "./infra-script.js";
export * from "./python-dev-env.js";
export * from "./qdrant-scripts.js";
export * from "./repo-root.js";
export * from "./requirement.js";
export * from "./shared-data.js";
export * from "./start-qdrant.js";
export * from "./wait-for.js";
