import { hostname } from "node:os";
import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "./env-vars.js";
import { type LogContext, logContextBindings } from "./log-context.js";

export type { Logger } from "pino";

/** What the root logger needs: a level, the service's name, and optionally where to write. */
export interface RootLoggerOptions {
  /** Minimum level written; from config (`envLogLevel()`). */
  readonly level: LogLevel;
  /** The service name, written as `service` on every line so logs from many pods can be told apart. */
  readonly name: string;
  /** Where lines go; stdout when absent (the container runtime collects it). Tests pass a capture. */
  readonly destination?: DestinationStream;
}

/**
 * Makes the one root logger of a process: pino, one JSON object per line, with `service`, `pid` and
 * `hostname` (the pod name on Kubernetes) on every line, `time` as an ISO-8601 string (readable
 * without conversion and sortable as text), `level` as its name (`"info"`) rather than pino's number
 * so log queries need no lookup table, and errors logged as `{ err }` serialised with type, message,
 * stack, cause and an `IsaraError`'s code and details. Authorization and cookie headers are redacted
 * wherever a request is logged as `req`, so tokens never reach log storage.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.name, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.errWithCause },
      redact: { paths: ["req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** Bindings for a component logger: the component's name plus any request/run context known. */
export interface ChildBindings extends LogContext {
  /** The part of the service that logs, e.g. `http`, `kafka-consumer`, `qdrant`. */
  readonly component: string;
}

/**
 * A logger for one component (and optionally one request or run): every line it writes carries
 * `component` and the context fields that are set (`requestId`, `run`, `domain`, `round`), so one
 * query finds everything that happened to a run across components and services. Unset or invalid
 * context fields are left out rather than written as `undefined`.
 */
export function childLogger(logger: Logger, bindings: ChildBindings): Logger {
  return logger.child({ component: bindings.component, ...logContextBindings(bindings) });
}
