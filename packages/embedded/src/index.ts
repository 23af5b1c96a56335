export * from "./embedded-runner.js";
export * from "./events.js";
export type { BaselineEvaluation } from "./phases.js";
export * from "./ports.js";
