export * from "./embedded-runner.js";
export * from "./events.js";
export * from "./ports.js";
export * from "./run-folder.js";
export * from "./run-log.js";
