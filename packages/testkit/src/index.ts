export * from "./python-dev-env.js";
export * from "./repo-root.js";
export * from "./requirement.js";
export * from "./shared-data.js";
