import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IsaraError } from "@isara/core";
import { childLogger, createRootLogger } from "./logger.js";

/** A destination that keeps each JSON line pino writes, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}

describe("createRootLogger", () => {
  it("writes one JSON object per line with service, level name and ISO time", () => {
    const { lines, destination } = capture();
    const logger = createRootLogger({ level: "info", name: "retrieval", destination });
    logger.info({ upserted: 3 }, "batch stored");
    logger.debug("hidden below the level");
    assert.equal(lines.length, 1);
    const line = lines[0] ?? {};
    assert.equal(line.service, "retrieval");
    assert.equal(line.level, "info");
    assert.equal(line.msg, "batch stored");
    assert.equal(line.upserted, 3);
    assert.equal(typeof line.hostname, "string");
    assert.equal(typeof line.time, "string");
    assert.equal(new Date(String(line.time)).toISOString(), line.time);
  });

  it("serialises { err } with its code, details, stack and cause", () => {
    const { lines, destination } = capture();
    const logger = createRootLogger({ level: "info", name: "gateway", destination });
    const cause = new Error("socket hang up");
    logger.error(
      { err: new IsaraError("unavailable", "qdrant is down", { host: "q" }, { cause }) },
      "upsert failed",
    );
    const err = lines[0]?.err as Record<string, unknown>;
    assert.equal(err.type, "IsaraError");
    assert.equal(err.code, "unavailable");
    assert.deepEqual(err.details, { host: "q" });
    assert.match(String(err.message), /qdrant is down/);
    assert.match(String(err.stack), /IsaraError/);
    assert.match(JSON.stringify(err), /socket hang up/);
  });

  it("redacts authorization and cookie headers of a logged request", () => {
    const { lines, destination } = capture();
    const logger = createRootLogger({ level: "info", name: "gateway", destination });
    logger.info(
      { req: { headers: { authorization: "Bearer abc", cookie: "s=1", accept: "*/*" } } },
      "request",
    );
    assert.deepEqual(lines[0]?.req, {
      headers: { authorization: "[redacted]", cookie: "[redacted]", accept: "*/*" },
    });
  });
});

describe("childLogger", () => {
  it("binds the component and only the valid context fields to every line", () => {
    const { lines, destination } = capture();
    const root = createRootLogger({ level: "info", name: "filtering", destination });
    const log = childLogger(root, { component: "kafka-consumer", run: "run-1", domain: "law", round: 2 });
    log.info("verdicts recorded");
    childLogger(root, { component: "http", requestId: "has space", round: -1 }).info("x");
    assert.equal(lines[0]?.component, "kafka-consumer");
    assert.equal(lines[0]?.run, "run-1");
    assert.equal(lines[0]?.domain, "law");
    assert.equal(lines[0]?.round, 2);
    assert.equal(lines[0]?.service, "filtering");
    assert.equal(lines[1]?.component, "http");
    assert.ok(!("requestId" in (lines[1] ?? {})), "junk request id must not be logged");
    assert.ok(!("round" in (lines[1] ?? {})), "negative round must not be logged");
  });
});
