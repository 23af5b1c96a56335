import assert from "node:assert/strict";
import { test } from "node:test";
import { findStop, stopIn } from "./stop-strings.js";

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

test("stopIn takes the earlier of a stop string and the place stopAt names", () => {
  const leak = (text: string) => text.toUpperCase().indexOf("END OF CONVERSATION");
  assert.equal(stopIn("Yes. End OF CONVERSATION", [], leak), 5, "a keyword in another case stops");
  assert.equal(stopIn("Yes. USER: x End OF CONVERSATION", ["USER:"], leak), 5);
  assert.equal(
    stopIn("a USER: b", ["USER:"], () => -1),
    2,
    "stopAt saying -1 leaves the stop strings",
  );
  assert.equal(stopIn("plain", [], leak), undefined);
});
