import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgressView, formatDuration, progressLine } from "./progress-view.js";

test("durations read like a person would say them", () => {
  assert.equal(formatDuration(12_400), "12s");
  assert.equal(formatDuration(185_000), "3m05s");
  assert.equal(formatDuration(3_720_000), "1h02m");
  assert.equal(formatDuration(Number.NaN), "?");
});

test("a progress line shows counts, rate and ETA, then the time taken when done", () => {
  const half = progressLine("round 1 answers", 10, 20, 5000);
  assert.match(half, /round 1 answers\s+█{14}░{14}\s+10\/20\s+2\.00\/s\s+ETA 5s/);
  assert.match(progressLine("round 1 answers", 20, 20, 10_000), /in 10s$/);
});

test("off a terminal the view prints a line when a phase starts moving and one per tenth, not one per sample", () => {
  const lines: string[] = [];
  let now = 0;
  const view = createProgressView({ write: (t) => lines.push(t), isTTY: false }, () => now);
  view({ type: "phase-start", round: 1, phase: "prompts", total: 100 });
  for (let done = 1; done <= 100; done++) {
    now += 100;
    view({ type: "phase-progress", round: 1, phase: "prompts", done, total: 100 });
  }
  assert.equal(lines.length, 11);
  assert.match(lines.at(-1) ?? "", /100\/100 .* in 10s/);
});

test("on a terminal the view redraws in place and ends the phase on its own line", () => {
  const out: string[] = [];
  const view = createProgressView({ write: (t) => out.push(t), isTTY: true, columns: 120 }, () => 0);
  view({ type: "phase-start", round: 2, phase: "train", total: 4 });
  view({ type: "train-progress", round: 2, step: 1, totalSteps: 4, loss: 2.5, tokensPerSecond: 300 });
  const last = out.at(-1) ?? "";
  assert.ok(last.startsWith("\r\u001b[2K"), "the line is cleared and redrawn");
  assert.match(last, /round 2 train .* 1\/4 .*loss 2\.500 {2}300 tok\/s$/);
});
