import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CONTEXT_HEADERS,
  contextFromGrpcMetadata,
  contextFromHttpHeaders,
  contextFromKafkaHeaders,
  contextToGrpcMetadata,
  contextToHttpHeaders,
  contextToKafkaHeaders,
  type LogContext,
} from "./log-context.js";

const full: LogContext = { requestId: "req-7f3a", run: "run-42", domain: "legal-qa", round: 3 };

describe("log context on the wire", () => {
  it("round-trips through HTTP headers, as a Node record and as fetch Headers", () => {
    const headers = contextToHttpHeaders(full);
    assert.deepEqual(headers, {
      "x-request-id": "req-7f3a",
      "x-isara-run": "run-42",
      "x-isara-domain": "legal-qa",
      "x-isara-round": "3",
    });
    assert.deepEqual(contextFromHttpHeaders(headers), full);
    assert.deepEqual(contextFromHttpHeaders(new Headers(headers)), full);
  });

  it("reads HTTP headers case-insensitively and takes the first of repeated values", () => {
    const ctx = contextFromHttpHeaders({ "X-Request-Id": ["a1", "b2"], "X-Isara-Round": "0" });
    assert.deepEqual(ctx, { requestId: "a1", round: 0 });
  });

  it("round-trips through gRPC metadata, with string or Buffer values", () => {
    const metadata = contextToGrpcMetadata(full);
    assert.deepEqual(contextFromGrpcMetadata(metadata), full);
    const asBuffers = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)]));
    assert.deepEqual(contextFromGrpcMetadata(asBuffers), full);
  });

  it("round-trips through Kafka headers as kafkajs delivers them (Buffers)", () => {
    const produced = contextToKafkaHeaders(full);
    const consumed = Object.fromEntries(
      Object.entries(produced).map(([k, v]) => [k, Buffer.from(v, "utf8")]),
    );
    assert.deepEqual(contextFromKafkaHeaders(consumed), full);
    assert.deepEqual(contextFromKafkaHeaders(undefined), {});
  });

  it("ignores junk values instead of failing the message", () => {
    const junk = {
      [CONTEXT_HEADERS.requestId]: "a\r\nSet-Cookie: x=1",
      [CONTEXT_HEADERS.run]: "x".repeat(500),
      [CONTEXT_HEADERS.domain]: "",
      [CONTEXT_HEADERS.round]: "-1",
    };
    assert.deepEqual(contextFromHttpHeaders(junk), {});
    for (const round of ["1e3", "2.5", "abc", "99999999"]) {
      assert.deepEqual(contextFromKafkaHeaders({ [CONTEXT_HEADERS.round]: round }), {}, round);
    }
    assert.deepEqual(contextFromGrpcMetadata({ [CONTEXT_HEADERS.run]: null, other: "x" }), {});
  });

  it("encodes only set, valid fields", () => {
    assert.deepEqual(contextToHttpHeaders({ run: "r1", round: Number.NaN, domain: "two words" }), {
      "x-isara-run": "r1",
    });
    assert.deepEqual(contextToKafkaHeaders({}), {});
  });
});
