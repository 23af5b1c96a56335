import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError, type Sample, seedSamples } from "@isara/core";
import {
  DEFAULT_PAGE_SIZE,
  decodePageToken,
  encodePageToken,
  MAX_PAGE_SIZE,
  pageSizeFor,
} from "./page-token.js";

const [last] = seedSamples("run-1", "d", [{ prompt: "p", response: "r" }]) as [Sample];

describe("page tokens", () => {
  it("point after the last sample of the previous page", () => {
    const token = encodePageToken({ run: "run-1" }, last);
    assert.deepEqual(decodePageToken(token, { run: "run-1" }), { setIndex: 0, slot: 0, id: last.id });
    assert.equal(decodePageToken("", { run: "run-1" }), undefined);
  });

  it("are refused for another query or when not issued by the service, saying what to send", () => {
    const token = encodePageToken({ run: "run-1", setIndex: 0 }, last);
    for (const query of [
      { run: "run-2", setIndex: 0 },
      { run: "run-1" },
      { run: "run-1", setIndex: 0, round: 0 },
    ]) {
      assert.throws(
        () => decodePageToken(token, query),
        (err: unknown) =>
          isIsaraError(err, "invalid_argument") && /different run, set or round/.test(err.message),
      );
    }
    for (const junk of ["abc", "e30", Buffer.from('{"q":"x"}').toString("base64url")]) {
      assert.throws(
        () => decodePageToken(junk, { run: "run-1" }),
        (err: unknown) =>
          isIsaraError(err, "invalid_argument") && /empty token to start over/.test(err.message),
      );
    }
  });

  it("serve the default page size for 0 and cap large requests", () => {
    assert.equal(pageSizeFor(0), DEFAULT_PAGE_SIZE);
    assert.equal(pageSizeFor(7), 7);
    assert.equal(pageSizeFor(1_000_000), MAX_PAGE_SIZE);
  });
});
