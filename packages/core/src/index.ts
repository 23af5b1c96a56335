/**
 * @isara/core: the ISARA algorithm as pure logic. No I/O, no clocks, no hidden randomness; everything
 * that touches the world is a port (see ports.ts) that the embedded wiring or a service plugs in.
 */

export { bleuMax, bleuTokenize, sentenceBleu } from "./bleu.js";
export * from "./demo-quotas.js";
export * from "./demo-selector.js";
export * from "./domain.js";
export * from "./domain-bytes.js";
export * from "./domain-parse.js";
export * from "./errors.js";
export * from "./file-problem.js";
export * from "./filters/index.js";
export * from "./jsonl-parse.js";
export * from "./likelihood.js";
export * from "./loss-summary.js";
export * from "./lr-schedule.js";
export * from "./paired-bootstrap.js";
export * from "./paper-preset.js";
export * from "./ports.js";
export * from "./prompt-format.js";
export * from "./rng.js";
export * from "./rouge.js";
export * from "./run-machine.js";
export * from "./run-modes.js";
export * from "./run-next-step.js";
export * from "./run-settings.js";
export * from "./run-state.js";
export * from "./run-state-parse.js";
export * from "./sample.js";
export * from "./sample-quality.js";
export * from "./schema-issues.js";
export * from "./sentence-end.js";
export * from "./stage-settings.js";
export * from "./stop-rules.js";
export * from "./tenant-name.js";
export * from "./text-quality.js";
export * from "./token-budget.js";
export * from "./truthfulness.js";
export * from "./utf8-text.js";
export * from "./vector-math.js";
