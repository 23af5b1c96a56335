export * from "./architectures.js";
export * from "./subprocess-trainer.js";
