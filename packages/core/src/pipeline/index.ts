export * from "./complete-turn.js";
export * from "./filter-step.js";
export * from "./pool.js";
export * from "./round-vectors.js";
export * from "./write-answers.js";
export * from "./write-prompts.js";
