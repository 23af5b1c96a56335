/**
 * @isara/core: the ISARA algorithm as pure logic. No I/O, no clocks, no hidden randomness; everything
 * that touches the world is a port (see ports.ts) that the embedded wiring or a service plugs in.
 */
export * from "./demo-quotas.js";
export * from "./demo-selector.js";
export * from "./domain.js";
export * from "./errors.js";
export * from "./filters/index.js";
export * from "./ports.js";
export * from "./prompt-format.js";
export * from "./rng.js";
export * from "./rouge.js";
export * from "./sample.js";
export * from "./token-budget.js";
export * from "./truthfulness.js";
