/**
 * A real root logger (kit's pino setup, the service's name and level) whose JSON lines land in an
 * array, so a test asserts on what the service logged — run context, levels, messages — without
 * reading stdout.
 */
import { createRootLogger, type Logger, type LogLevel } from "@isara/kit";

/** JSON log lines a test logger wrote, parsed, in order. */
export type LogLines = Record<string, unknown>[];

/** A root logger named `name` at `level` that appends each line it writes to `lines`, parsed. */
export function lineLogger(name: string, lines: LogLines, level: LogLevel = "info"): Logger {
  return createRootLogger({
    level,
    name,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
}
