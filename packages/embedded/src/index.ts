export * from "./embedded-runner.js";
export * from "./events.js";
export * from "./ports.js";
export type { BaselineEvaluation } from "./phases.js";
