import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IsaraError } from "@isara/core";
import { type KafkaScriptOptions, runKafkaScript } from "./kafka-scripts.js";
import { forgetOnExit, killOnExit } from "./leftover-brokers.js";

/** How {@link startKafka} starts the broker; every field is optional. */
export interface StartKafkaOptions extends KafkaScriptOptions {
  /** Where config, data, log and PID go. Kept by `stop()`. Default: a new temp folder that `stop()` deletes. */
  readonly dataDir?: string;
  /** The client port on 127.0.0.1. Default: the data folder's previous port, else a random free one. */
  readonly port?: number;
  /**
   * How long to wait for the broker to accept connections. Default 180 s: it usually takes 5-15 s, but
   * on a 2-core machine with both cores busy (a test run beside the chaos benchmark) a restart once
   * took over 60 s, and a start that gives up too early fails the test or benchmark for nothing.
   */
  readonly startTimeoutMs?: number;
}

/** A running single-node KRaft broker on loopback, as a test sees it. */
export interface KafkaBroker {
  /** `127.0.0.1:PORT`, for kafkajs `brokers: [bootstrap]`. The same across restarts. */
  readonly bootstrap: string;
  /** The client port. */
  readonly port: number;
  /** The data folder (server.properties, data/, kafka.log, kafka.pid). */
  readonly dataDir: string;
  /** PID of the broker's JVM; a new one after each restart. */
  readonly pid: number;
  /** Stops the broker (SIGTERM, then SIGKILL) and starts it again on the same folder and port. */
  restart(): Promise<void>;
  /** Stops the broker and waits until the JVM is gone; deletes the folder if startKafka made it. Idempotent. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 60_000;

/**
 * Starts a real Apache Kafka broker for a test through infra/kafka/start.sh and resolves once it
 * accepts connections. Tests get the real protocol, real consumer-group rebalances and real broker
 * restarts instead of a fake that would agree with whatever the adapter assumes. Auto topic creation
 * is off, as in production: create topics with explicit partitions through the admin client.
 *
 * Call `stop()` in an `after` hook. Should a test process exit without it, an exit hook kills the JVM
 * so no broker outlives the tests. Give each test `{ skip: kafkaSkipReason() }`.
 *
 * Rejects with an {@link IsaraError}: `invalid_argument` for a bad port, `unavailable` when the broker
 * did not come up (the message carries the script's reason and the tail of the broker's log).
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const { port, startTimeoutMs = 180_000 } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535)) {
    throw new IsaraError(
      "invalid_argument",
      `port ${port} is not a TCP port; use an integer in 1-65535 or leave it out`,
    );
  }
  if (!(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) {
    throw new IsaraError("invalid_argument", `startTimeoutMs ${startTimeoutMs} must be a positive number`);
  }
  const owned = options.dataDir === undefined;
  const dataDir =
    options.dataDir === undefined ? mkdtempSync(join(tmpdir(), "isara-kafka-")) : resolve(options.dataDir);
  const broker = new ScriptedBroker(dataDir, owned, startTimeoutMs, options);
  try {
    await broker.start(port);
  } catch (err) {
    if (owned) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return broker;
}

class ScriptedBroker implements KafkaBroker {
  bootstrap = "";
  port = 0;
  pid = 0;
  #stopped = false;

  constructor(
    readonly dataDir: string,
    private readonly owned: boolean,
    private readonly startTimeoutMs: number,
    private readonly scripts: KafkaScriptOptions,
  ) {}

  async start(port: number | undefined): Promise<void> {
    const args = ["--data-dir", this.dataDir, "--timeout", String(Math.ceil(this.startTimeoutMs / 1000))];
    if (port !== undefined) args.push("--port", String(port));
    const { stdout } = await runKafkaScript("start.sh", args, {
      ...this.scripts,
      timeoutMs: this.startTimeoutMs + 30_000,
    });
    const bootstrap = stdout.trim().split("\n").pop() ?? "";
    const match = /^127\.0\.0\.1:(\d+)$/.exec(bootstrap);
    if (match === null) {
      throw new IsaraError("internal", `infra/kafka/start.sh printed '${bootstrap}', not 127.0.0.1:PORT`);
    }
    this.bootstrap = bootstrap;
    this.port = Number(match[1]);
    this.pid = Number(readFileSync(join(this.dataDir, "kafka.pid"), "utf8").trim());
    killOnExit({ pid: this.pid, dataDir: this.dataDir, owned: this.owned });
  }

  async restart(): Promise<void> {
    if (this.#stopped) {
      throw new IsaraError(
        "failed_precondition",
        `the broker on ${this.dataDir} was stopped; start a new one`,
      );
    }
    await this.#stopJvm();
    await this.start(this.port);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#stopJvm();
    if (this.owned) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async #stopJvm(): Promise<void> {
    await runKafkaScript("stop.sh", ["--data-dir", this.dataDir], {
      ...this.scripts,
      timeoutMs: STOP_TIMEOUT_MS,
    });
    forgetOnExit(this.pid);
  }
}
