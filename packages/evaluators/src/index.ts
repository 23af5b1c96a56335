export * from "./reference-evaluator.js";
