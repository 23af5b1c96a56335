import assert from "node:assert/strict";
import { test } from "node:test";
import { lastFinished } from "./batch-stage-consumer.js";

test("a batch commits up to the last message before the first unfinished one", () => {
  assert.equal(lastFinished(["done", "dead_lettered", "done"]), 2);
  assert.equal(lastFinished(["done", "interrupted", "done"]), 0, "a message after an interrupted one waits");
  assert.equal(lastFinished(["done", undefined, "done"]), 0, "a message never started is not committed");
  assert.equal(lastFinished(["interrupted", "done"]), -1);
  assert.equal(lastFinished([]), -1);
});
