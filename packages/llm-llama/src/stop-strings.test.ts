import assert from "node:assert/strict";
import { test } from "node:test";
import { findStop } from "./stop-strings.js";

test("findStop returns where the earliest stop string begins", () => {
  assert.equal(findStop("Paris. USER: next", ["USER:"]), 7);
  assert.equal(
    findStop("a\nb USER: c", ["USER:", "\n"]),
    1,
    "the newline comes first although listed second",
  );
});

test("findStop returns undefined when no stop string occurs", () => {
  assert.equal(findStop("Paris is the capital", ["USER:"]), undefined);
  assert.equal(findStop("anything", []), undefined);
});
