import type { Logger } from "@isara/kit";
import type { Consumer } from "kafkajs";

/** What {@link restartAfterCrash} needs. */
export interface CrashRestartOptions {
  /** A consumer that has been connected, subscribed and run once. */
  readonly consumer: Pick<Consumer, "on" | "events" | "connect">;
  /** Runs the consumer again with the arguments of its first `run` (the subscription is kept). */
  readonly run: () => Promise<void>;
  readonly logger: Logger;
  /** Wait before the first restart of a crash (default 1 s); it doubles up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  /** Longest wait between two restarts (default 30 s). */
  readonly maxDelayMs?: number;
}

/** Handle returned by {@link restartAfterCrash}. */
export interface CrashRestart {
  /** Cancels a pending restart and waits for one in progress; call before `consumer.disconnect()`. */
  stop(): Promise<void>;
}

/**
 * Restarts a kafkajs consumer that crashed and that kafkajs will not restart itself, with a wait that
 * doubles up to a cap and is reset once the consumer joins its group again; it never gives up.
 *
 * Why: kafkajs restarts a crashed consumer only when the crash's root cause is retriable. A broker
 * restart can end the group-coordinator lookup with `KafkaJSGroupCoordinatorNotFound`, which is not,
 * and such a consumer stays stopped for good: the process lives on, its stage stalls, and only a
 * process restart (a liveness probe in Kubernetes, a person on one machine) would bring it back. A
 * restart in place does the same and keeps the process's other state. kafkajs has already left the
 * group and disconnected when it reports the crash; its subscription is kept, so `connect` then the
 * same `run` is a full restart. Crashes kafkajs restarts itself (`restart: true`) are left to it.
 */
export function restartAfterCrash(options: CrashRestartOptions): CrashRestart {
  const initialDelayMs = options.initialDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const { consumer, logger } = options;
  let delayMs = initialDelayMs;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;
  let stopped = false;

  async function restart(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    try {
      await consumer.connect();
      // A crash while joining is reported through the CRASH event again, which schedules the next try.
      await options.run();
    } catch (err) {
      logger.warn({ err }, "restarting the crashed consumer failed; trying again");
      schedule();
    }
  }

  function schedule(): void {
    if (stopped || timer !== undefined) return;
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, maxDelayMs);
    logger.warn({ delayMs: wait }, "kafkajs will not restart the crashed consumer; restarting it in place");
    timer = setTimeout(() => {
      attempt = restart().finally(() => {
        attempt = undefined;
      });
    }, wait);
  }

  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) schedule();
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    delayMs = initialDelayMs;
  });

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await attempt;
    },
  };
}
