/**
 * restartAfterCrash against a stand-in for the kafkajs consumer's event surface: the crash it must act
 * on (kafkajs' `restart: false`) cannot be caused on purpose with a real broker, because which error
 * ends a coordinator lookup during a broker restart is a race. The distributed fault test restarts
 * the real broker under every service.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createRootLogger, type Logger } from "@isara/kit";
import { type CrashRestartOptions, restartAfterCrash } from "./crash-restart.js";

const EVENTS = { CRASH: "consumer.crash", GROUP_JOIN: "consumer.group_join" } as const;

/** The consumer's events and `connect`, recording calls; `run` is handed to restartAfterCrash. */
function standIn(runFails = 0) {
  const emitter = new EventEmitter();
  const calls: string[] = [];
  let failures = runFails;
  const consumer = {
    events: EVENTS,
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    connect: async () => {
      calls.push("connect");
    },
  };
  const run = async () => {
    calls.push("run");
    if (failures-- > 0) throw new Error("the broker is away");
  };
  const crash = (restart: boolean) =>
    emitter.emit(EVENTS.CRASH, { payload: { restart, error: new Error("x") } });
  const join = () => emitter.emit(EVENTS.GROUP_JOIN, { payload: {} });
  return { consumer, run, calls, crash, join };
}

function waitsLogged() {
  const waits: number[] = [];
  const logger = createRootLogger({
    level: "warn",
    name: "crash-restart-test",
    destination: {
      write: (line: string) => {
        const entry = JSON.parse(line) as { delayMs?: number };
        if (entry.delayMs !== undefined) waits.push(entry.delayMs);
      },
    },
  });
  return { waits, logger };
}

/** restartAfterCrash over the stand-in `s`, with short waits. */
function watch(
  s: ReturnType<typeof standIn>,
  logger: Logger,
  delays: Pick<CrashRestartOptions, "initialDelayMs" | "maxDelayMs">,
) {
  return restartAfterCrash({
    consumer: s.consumer as unknown as CrashRestartOptions["consumer"],
    run: s.run,
    logger,
    ...delays,
  });
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await sleep(5);
  assert.ok(done(), `gave up waiting for ${what}`);
}

test("a crash kafkajs will not restart is restarted in place: connect, then the same run", async () => {
  const s = standIn();
  const { logger } = waitsLogged();
  const handle = watch(s, logger, { initialDelayMs: 5 });
  s.crash(false);
  await until("the restart", () => s.calls.length === 2);
  assert.deepEqual(s.calls, ["connect", "run"]);
  await handle.stop();
});

test("a crash kafkajs restarts itself is left to kafkajs", async () => {
  const s = standIn();
  const { logger, waits } = waitsLogged();
  const handle = watch(s, logger, { initialDelayMs: 1 });
  s.crash(true);
  await sleep(30);
  assert.deepEqual(s.calls, []);
  assert.deepEqual(waits, []);
  await handle.stop();
});

test("the wait doubles with each crash up to the cap and starts again after a join", async () => {
  const s = standIn();
  const { logger, waits } = waitsLogged();
  const handle = watch(s, logger, { initialDelayMs: 2, maxDelayMs: 5 });
  for (let i = 1; i <= 4; i++) {
    s.crash(false);
    await until(`restart ${i}`, () => s.calls.filter((c) => c === "run").length === i);
  }
  s.join();
  s.crash(false);
  await until("the restart after the join", () => s.calls.filter((c) => c === "run").length === 5);
  assert.deepEqual(waits, [2, 4, 5, 5, 2]);
  await handle.stop();
});

test("a failed restart is tried again; crashes while one is pending schedule no second one", async () => {
  const s = standIn(2);
  const { logger, waits } = waitsLogged();
  const handle = watch(s, logger, { initialDelayMs: 2 });
  s.crash(false);
  s.crash(false);
  await until("the third run", () => s.calls.filter((c) => c === "run").length === 3);
  assert.deepEqual(s.calls, ["connect", "run", "connect", "run", "connect", "run"]);
  assert.deepEqual(waits, [2, 4, 8], "one schedule per failure, none for the duplicate crash");
  await handle.stop();
});

test("stop cancels a pending restart, and no crash after it restarts anything", async () => {
  const s = standIn();
  const { logger } = waitsLogged();
  const handle = watch(s, logger, { initialDelayMs: 20 });
  s.crash(false);
  await handle.stop();
  s.crash(false);
  await sleep(60);
  assert.deepEqual(s.calls, []);
});
