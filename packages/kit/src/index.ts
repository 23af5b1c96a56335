/**
 * `@isara/kit`: what every ISARA service shares at its edges: config from the environment, pino
 * logging with run context across HTTP/gRPC/Kafka, error-code mapping, graceful shutdown, health,
 * Prometheus metrics and a free loopback port to listen on. Nothing here runs at import time; only `installSignalHandlers` touches the process.
 */
export * from "./config.js";
export * from "./env-vars.js";
export * from "./errors.js";
export * from "./free-port.js";
export * from "./health.js";
export * from "./log-context.js";
export * from "./logger.js";
export * from "./metrics.js";
export * from "./package-root.js";
export * from "./probe-server.js";
export * from "./shutdown.js";
