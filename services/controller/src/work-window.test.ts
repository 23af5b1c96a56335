import assert from "node:assert/strict";
import { test } from "node:test";
import { markAnswered, markReleased, newWindow, slotsToRelease, stalledSlots } from "./work-window.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test("a window releases the lowest missing slots up to its size, then waits for a quarter of it", () => {
  const w = newWindow(1, "prompts");
  const missing = range(100);
  const first = slotsToRelease(w, missing, 8);
  assert.deepEqual(first, range(8));
  markReleased(w, first, 0);
  assert.deepEqual(slotsToRelease(w, missing, 8), [], "full");
  markAnswered(w, 0);
  assert.deepEqual(slotsToRelease(w, missing.slice(1), 8), [], "one credit is not a quarter of 8");
  markAnswered(w, 1);
  assert.deepEqual(slotsToRelease(w, missing.slice(2), 8), [8, 9], "two credits are");
});

test("the end of a phase goes out even when fewer slots than a quarter of the window are left", () => {
  const w = newWindow(1, "answers");
  markReleased(w, [0, 1, 2, 3, 4, 5], 0);
  assert.deepEqual(slotsToRelease(w, [0, 1, 2, 3, 4, 5, 6], 8), [6]);
});

test("stalled slots are those released at least the timeout ago, ascending", () => {
  const w = newWindow(2, "prompts");
  markReleased(w, [5, 3], 1000);
  markReleased(w, [4], 5000);
  assert.deepEqual(stalledSlots(w, 60_999, 60_000), []);
  assert.deepEqual(stalledSlots(w, 61_000, 60_000), [3, 5]);
  assert.deepEqual(stalledSlots(w, 65_000, 60_000), [3, 4, 5]);
});
