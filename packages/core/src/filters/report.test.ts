import assert from "node:assert/strict";
import { test } from "node:test";
import { summarizeFilterResults } from "./report.js";

test("an empty round keeps nothing", () => {
  assert.deepEqual(summarizeFilterResults([]), { written: 0, accepted: 0, keptFraction: 0, rejectedBy: {} });
});
