import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { createRootLogger } from "./logger.js";
import { createShutdown, installSignalHandlers, type SignalTarget } from "./shutdown.js";

/** A root logger whose lines are kept for inspection. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createRootLogger({
    level: "info",
    name: "test",
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe("createShutdown", () => {
  it("closes components in reverse start order, after onStart", async () => {
    const { logger } = capturedLogger();
    const events: string[] = [];
    const shutdown = createShutdown({
      logger,
      timeoutMs: 5000,
      onStart: (reason) => events.push(`start:${reason}`),
    });
    for (const name of ["qdrant-client", "kafka-producer", "http-server"]) {
      shutdown.register(name, async () => {
        await new Promise((r) => setImmediate(r));
        events.push(name);
      });
    }
    const report = await shutdown.shutdown("SIGTERM");
    assert.deepEqual(events, ["start:SIGTERM", "http-server", "kafka-producer", "qdrant-client"]);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.results.map((r) => [r.name, r.status]),
      [
        ["http-server", "closed"],
        ["kafka-producer", "closed"],
        ["qdrant-client", "closed"],
      ],
    );
  });

  it("moves on past a failing close and a hanging close, and logs both", async () => {
    const { logger, lines } = capturedLogger();
    const closed: string[] = [];
    const shutdown = createShutdown({ logger, timeoutMs: 5000 });
    shutdown.register("db", () => void closed.push("db"));
    shutdown.register("stuck-consumer", () => new Promise(() => {}), { timeoutMs: 20 });
    shutdown.register("broken-client", () => {
      throw new Error("already closed");
    });
    shutdown.register("server", async () => void closed.push("server"));
    const report = await shutdown.shutdown("test");
    assert.deepEqual(closed, ["server", "db"]);
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.results.map((r) => [r.name, r.status]),
      [
        ["server", "closed"],
        ["broken-client", "failed"],
        ["stuck-consumer", "timed_out"],
        ["db", "closed"],
      ],
    );
    const failure = report.results[1]?.error;
    assert.ok(failure instanceof Error && /already closed/.test(failure.message));
    const failed = lines.find((l) => l.component === "broken-client");
    assert.equal(failed?.level, "error");
    assert.match(JSON.stringify(failed?.err), /already closed/);
    assert.equal(lines.find((l) => l.component === "stuck-consumer")?.level, "warn");
    assert.equal(lines.at(-1)?.msg, "shutdown finished");
  });

  it("is idempotent: a second call returns the same promise and closes nothing twice", async () => {
    const { logger } = capturedLogger();
    let closes = 0;
    const shutdown = createShutdown({ logger, timeoutMs: 1000 });
    shutdown.register("server", () => void closes++);
    assert.equal(shutdown.started, false);
    const first = shutdown.shutdown("SIGTERM");
    const second = shutdown.shutdown("SIGINT");
    assert.equal(first, second);
    assert.equal(shutdown.started, true);
    assert.equal((await second).reason, "SIGTERM");
    await shutdown.shutdown("again");
    assert.equal(closes, 1);
  });

  it("refuses registrations once shutdown has begun, and bad timeouts", async () => {
    const { logger } = capturedLogger();
    const shutdown = createShutdown({ logger, timeoutMs: 1000 });
    assert.throws(
      () => shutdown.register("x", () => {}, { timeoutMs: 0 }),
      (e) => isIsaraError(e, "invalid_argument"),
    );
    await shutdown.shutdown("done");
    assert.throws(
      () => shutdown.register("late", () => {}),
      (e) => isIsaraError(e, "failed_precondition"),
    );
  });
});

/** An event emitter standing in for `process`, recording exit codes instead of exiting. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const target: SignalTarget = {
    on: (signal, listener) => emitter.on(signal, listener),
    off: (signal, listener) => emitter.off(signal, listener),
    exit: (code) => void exits.push(code),
  };
  return { emitter, exits, target };
}

describe("installSignalHandlers", () => {
  it("shuts down on SIGTERM and exits 0 when everything closed", async () => {
    const { logger } = capturedLogger();
    const shutdown = createShutdown({ logger, timeoutMs: 1000 });
    shutdown.register("server", () => {});
    const { emitter, exits, target } = fakeProcess();
    installSignalHandlers(shutdown, target, logger);
    emitter.emit("SIGTERM", "SIGTERM");
    const report = await shutdown.shutdown("ignored");
    await new Promise((r) => setImmediate(r));
    assert.equal(report.reason, "SIGTERM");
    assert.deepEqual(exits, [0]);
  });

  it("exits 1 after an unclean shutdown, and at once with 130 on a second signal", async () => {
    const { logger } = capturedLogger();
    const shutdown = createShutdown({ logger, timeoutMs: 1000 });
    let release: () => void = () => {};
    shutdown.register("slow", () => new Promise<void>((r) => (release = r)));
    shutdown.register("bad", () => Promise.reject(new Error("nope")));
    const { emitter, exits, target } = fakeProcess();
    installSignalHandlers(shutdown, target, logger);
    emitter.emit("SIGINT", "SIGINT");
    emitter.emit("SIGINT", "SIGINT");
    assert.deepEqual(exits, [130]);
    await new Promise((r) => setImmediate(r));
    release();
    await shutdown.shutdown("x");
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(exits, [130, 1]);
  });

  it("uninstalls its listeners", () => {
    const { logger } = capturedLogger();
    const { emitter, target } = fakeProcess();
    const uninstall = installSignalHandlers(createShutdown({ logger, timeoutMs: 1000 }), target);
    assert.equal(emitter.listenerCount("SIGTERM"), 1);
    uninstall();
    assert.equal(emitter.listenerCount("SIGTERM") + emitter.listenerCount("SIGINT"), 0);
  });
});
