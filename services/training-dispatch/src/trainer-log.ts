/**
 * The trainer's output in the service's JSON log, bound to the run, domain, round and request id of
 * the training that produced it. The subprocess trainer is created once and reports its stderr lines
 * through one callback; the relay sends them to the logger of the training running now, or, while
 * several run at once (STAGE_CONCURRENCY above 1), to the service's logger, since a line does not
 * say which training wrote it. Progress events become log lines too, thinned to about ten per
 * training at `info` (every step at `debug`), so a person can follow a long run without a flood.
 */
import type { TrainProgress } from "@isara/core";
import type { Logger } from "@isara/kit";

/** Routes the trainer's stderr lines to the logger of the training in progress. */
export interface TrainerLogRelay {
  /** Give this to the trainer as its `onLog`. */
  readonly onLog: (line: string) => void;
  /** Runs `fn` with the trainer's lines going to `logger`. */
  during<T>(logger: Logger, fn: () => Promise<T>): Promise<T>;
}

const LINE = /^isara-trainer (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/;

/** Writes one trainer stderr line at its own level; other lines (library noise, tracebacks) at debug. */
export function logTrainerLine(logger: Logger, line: string): void {
  const match = LINE.exec(line);
  const text = match?.[2] ?? line;
  switch (match?.[1]) {
    case "INFO":
      logger.info({ trainer: text }, "trainer");
      return;
    case "WARNING":
      logger.warn({ trainer: text }, "trainer");
      return;
    case "ERROR":
    case "CRITICAL":
      logger.error({ trainer: text }, "trainer");
      return;
    default:
      logger.debug({ trainer: text }, "trainer");
  }
}

/**
 * A relay whose lines go to the one training running, else to `idle` (none running, e.g. a trainer
 * finishing after an abort, or several at once).
 */
export function createTrainerLogRelay(idle: Logger): TrainerLogRelay {
  const running = new Set<{ readonly logger: Logger }>();
  const current = () => (running.size === 1 ? [...running][0]?.logger : undefined);
  return {
    onLog: (line) => logTrainerLine(current() ?? idle, line),
    async during(logger, fn) {
      const token = { logger };
      running.add(token);
      try {
        return await fn();
      } finally {
        running.delete(token);
      }
    },
  };
}

/**
 * A progress callback that logs every step at debug, and at info the first step, the last, and each
 * further tenth of the run.
 */
export function progressLogger(logger: Logger, onStep?: () => void): (p: TrainProgress) => void {
  let lastTenth = -1;
  return (p) => {
    onStep?.();
    const fields = {
      step: p.step,
      totalSteps: p.totalSteps,
      loss: p.loss,
      tokensPerSecond: p.tokensPerSecond,
    };
    const tenth = p.totalSteps > 0 ? Math.floor((10 * p.step) / p.totalSteps) : 0;
    if (p.step === 1 || p.step === p.totalSteps || tenth > lastTenth) {
      lastTenth = tenth;
      logger.info(fields, "training progress");
    } else {
      logger.debug(fields, "training progress");
    }
  };
}
