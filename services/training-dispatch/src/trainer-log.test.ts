import assert from "node:assert/strict";
import { test } from "node:test";
import { childLogger } from "@isara/kit";
import { arrayLogger, type LogLines } from "../testing/handler-harness.js";
import { createTrainerLogRelay, progressLogger } from "./trainer-log.js";

test("trainer lines go to the log of the training in progress, at their own level", async () => {
  const lines: LogLines = [];
  const root = arrayLogger(lines);
  const relay = createTrainerLogRelay(childLogger(root, { component: "trainer" }));
  const job = childLogger(root, { component: "stage-consumer", run: "run-a", domain: "plants", round: 2 });
  await relay.during(job, async () => {
    relay.onLog("isara-trainer INFO loaded /models/tiny.gguf (llama, 31,392 parameters)");
    relay.onLog("isara-trainer WARNING previous adapter has rank 8; keeping it");
    relay.onLog("Traceback (most recent call last):");
  });
  relay.onLog("isara-trainer ERROR late line after an abort");
  assert.deepEqual(
    lines.map((l) => [l.level, l.trainer, l.run ?? null]),
    [
      ["info", "loaded /models/tiny.gguf (llama, 31,392 parameters)", "run-a"],
      ["warn", "previous adapter has rank 8; keeping it", "run-a"],
      ["debug", "Traceback (most recent call last):", "run-a"],
      ["error", "late line after an abort", null],
    ],
  );
  assert.ok(lines.slice(0, 3).every((l) => l.domain === "plants" && l.round === 2));
});

test("while two trainings run at once, a trainer line names neither: it goes to the service's log", async () => {
  const lines: LogLines = [];
  const root = arrayLogger(lines);
  const relay = createTrainerLogRelay(childLogger(root, { component: "trainer" }));
  const a = childLogger(root, { component: "stage-consumer", run: "run-a" });
  const b = childLogger(root, { component: "stage-consumer", run: "run-b" });
  let finishB = () => {};
  const bRuns = relay.during(b, () => new Promise<void>((resolve) => (finishB = resolve)));
  await relay.during(a, async () => relay.onLog("isara-trainer INFO which one?"));
  relay.onLog("isara-trainer INFO only b runs now");
  finishB();
  await bRuns;
  assert.deepEqual(
    lines.map((l) => [l.trainer, l.run ?? null]),
    [
      ["which one?", null],
      ["only b runs now", "run-b"],
    ],
  );
});

test("progress of a long training logs about ten lines at info and every step at debug", () => {
  const lines: LogLines = [];
  let steps = 0;
  const onProgress = progressLogger(arrayLogger(lines), () => steps++);
  for (let step = 1; step <= 200; step++)
    onProgress({ step, totalSteps: 200, loss: 1 / step, tokensPerSecond: 50 });
  assert.equal(steps, 200);
  const info = lines.filter((l) => l.level === "info");
  assert.deepEqual(
    info.map((l) => l.step),
    [1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200],
  );
  assert.equal(lines.length, 200);
});
