import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { Kafka, logLevel } from "kafkajs";
import { kafkaSkipReason } from "./kafka-skip-reason.js";
import { isBrokerProcess } from "./leftover-brokers.js";
import { startKafka } from "./start-kafka.js";

const top = mkdtempSync(join(tmpdir(), "kafka-testkit-start-"));
after(() => rmSync(top, { recursive: true, force: true }));

test("startKafka refuses a port that is not a TCP port, before starting anything", async () => {
  for (const port of [0, 65_536, 8080.5, Number.NaN]) {
    await assert.rejects(startKafka({ port, dataDir: join(top, "never") }), (err) => {
      return isIsaraError(err, "invalid_argument") && /1-65535/.test(err.message);
    });
  }
  assert.equal(existsSync(join(top, "never")), false);
});

const skip = kafkaSkipReason();

describe("startKafka against the real scripts", () => {
  test("a broker on a caller's folder keeps its port, topics and folder across stop and start", {
    skip,
  }, async () => {
    const dataDir = join(top, "kept");
    const first = await startKafka({ dataDir });
    const admin = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: "isara.events", numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    assert.equal(readFileSync(join(dataDir, "bootstrap"), "utf8").trim(), first.bootstrap);
    await first.stop();
    assert.equal(existsSync(join(dataDir, "kafka.pid")), false, "stop left the PID file");
    assert.equal(isBrokerProcess(first.pid, dataDir), false);

    const second = await startKafka({ dataDir });
    try {
      assert.equal(second.bootstrap, first.bootstrap);
      const again = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await again.connect();
      const { topics } = await again.fetchTopicMetadata({ topics: ["isara.events"] });
      await again.disconnect();
      assert.equal(topics[0]?.partitions.length, 2);
    } finally {
      await second.stop();
    }
    assert.ok(existsSync(join(dataDir, "kafka.log")), "a caller's folder must keep the broker log");
  });

  test("a test process that exits without stop() takes its broker down with it", { skip }, () => {
    const entry = new URL("./start-kafka.js", import.meta.url).href;
    const child = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { startKafka } = await import(${JSON.stringify(entry)});
         const broker = await startKafka();
         console.log(JSON.stringify({ pid: broker.pid, dataDir: broker.dataDir }));
         process.exit(0);`,
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    const { pid, dataDir } = JSON.parse(child.stdout) as { pid: number; dataDir: string };
    assert.ok(pid > 0);
    assert.equal(isBrokerProcess(pid, dataDir), false, `broker ${pid} outlived its test process`);
    assert.equal(existsSync(dataDir), false, "the temp folder outlived its test process");
  });

  test("a port another program holds is refused with a message naming it", { skip }, async () => {
    const holder = await listen();
    const port = portOf(holder);
    try {
      await assert.rejects(startKafka({ port }), (err) => {
        return (
          isIsaraError(err, "unavailable") &&
          err.message.includes(`port ${port} on 127.0.0.1 is already in use`)
        );
      });
    } finally {
      holder.close();
    }
  });

  test("a broker that dies at start is reported with the tail of its log", { skip }, async () => {
    const dataDir = join(top, "broken");
    const env = { ...process.env, ISARA_KAFKA_JVM_OPTS: "-XX:+NoSuchJvmOption" };
    await assert.rejects(startKafka({ dataDir, env }), (err) => {
      return (
        isIsaraError(err, "unavailable") &&
        err.message.includes("exited") &&
        err.message.includes("Unrecognized VM option 'NoSuchJvmOption'")
      );
    });
    assert.equal(existsSync(join(dataDir, "kafka.pid")), false);
  });
});

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  return address.port;
}
