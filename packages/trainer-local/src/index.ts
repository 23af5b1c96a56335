export * from "./subprocess-trainer.js";
