import type { Logger } from "@isara/kit";
import { type LogEntry, logLevel } from "kafkajs";

/** kafkajs's levels as pino level names. */
const PINO_LEVEL: Readonly<Record<number, "error" | "warn" | "info" | "debug">> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** The most detailed kafkajs level worth producing for a pino logger at `level`. */
function kafkaLevelFor(level: string): logLevel {
  switch (level) {
    case "trace":
    case "debug":
      return logLevel.DEBUG;
    case "info":
      return logLevel.INFO;
    case "warn":
      return logLevel.WARN;
    case "error":
    case "fatal":
      return logLevel.ERROR;
    default:
      return logLevel.NOTHING;
  }
}

/**
 * kafkajs client options that send its log lines to `logger` (as `component: "kafkajs"` with its
 * namespace, e.g. `Consumer`, and its fields), instead of kafkajs's own console format, so a service
 * writes one JSON log stream. kafkajs is asked only for lines the logger would keep. Spread into
 * `new Kafka({ ...kafkaLogging(logger), brokers })`.
 */
export function kafkaLogging(logger: Logger): {
  logLevel: logLevel;
  logCreator: () => (entry: LogEntry) => void;
} {
  const child = logger.child({ component: "kafkajs" });
  return {
    logLevel: kafkaLevelFor(logger.level),
    logCreator: () => (entry) => {
      const { timestamp: _timestamp, message, logger: _name, ...fields } = entry.log;
      const level = PINO_LEVEL[entry.level] ?? "info";
      child[level]({ namespace: entry.namespace, ...fields }, String(message));
    },
  };
}
