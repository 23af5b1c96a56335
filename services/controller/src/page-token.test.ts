import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { decodePageToken, encodePageToken, isAfter, MAX_PAGE_SIZE, pageSizeFor } from "./page-token.js";

const filter = { domain: "alpha", lifecycle: 0 };
const last = { createdAt: "2025-01-02T00:00:00.000Z", runId: "b" };

test("a page token resumes after the last run of its page, for the same filter only", () => {
  const token = encodePageToken(filter, last);
  assert.deepEqual(decodePageToken(token, filter), last);
  assert.equal(decodePageToken("", filter), undefined);
  assert.throws(
    () => decodePageToken(token, { domain: "beta", lifecycle: 0 }),
    (err) =>
      isIsaraError(err, "invalid_argument") && /different domain or lifecycle filter/.test(err.message),
  );
  assert.throws(
    () => decodePageToken("not-a-token", filter),
    (err) => isIsaraError(err, "invalid_argument"),
  );
});

test("runs are listed newest first, then by id; page sizes default to 50 and are capped", () => {
  assert.equal(
    isAfter({ createdAt: "2025-01-01T00:00:00.000Z", runId: "z" }, last),
    true,
    "older comes after",
  );
  assert.equal(isAfter({ createdAt: last.createdAt, runId: "c" }, last), true, "same time: by id");
  assert.equal(isAfter({ createdAt: last.createdAt, runId: "a" }, last), false);
  assert.equal(
    isAfter({ createdAt: "2025-01-03T00:00:00.000Z", runId: "a" }, last),
    false,
    "newer came before",
  );
  assert.equal(pageSizeFor(0), 50);
  assert.equal(pageSizeFor(10_000), MAX_PAGE_SIZE);
});
