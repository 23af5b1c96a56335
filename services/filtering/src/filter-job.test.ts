import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { fixtureFilterWork } from "../testing/filter-fixture.js";
import { parseFilterWork } from "./filter-job.js";

test("a well-formed FilterWork becomes the job: the run's identity and keys, no settings", () => {
  const job = parseFilterWork(fixtureFilterWork("run-a", { round: 2, count: 4 }));
  const expected = {
    context: { run: "run-a", domain: "tiny-truth", round: 2, correlationId: "req-run-a" },
    idempotencyKey: "run-a/2/filter",
    candidatesKey: "run-a/round-2/candidates.jsonl",
    candidateCount: 4,
  };
  assert.deepEqual(job, expected);
  // An older controller still copies the thresholds into the deprecated field; they are ignored
  // (the run's domain snapshot holds the same values), whatever they say.
  const old = {
    ...fixtureFilterWork("run-a", { round: 2, count: 4 }),
    settings: { rougeLThreshold: 1.5, minWords: 0 },
  };
  assert.deepEqual(parseFilterWork(old), expected);
});

test("every problem of a bad FilterWork is listed in one invalid_argument error", () => {
  const work = {
    ...fixtureFilterWork("run-a"),
    idempotencyKey: "run-a/1/train",
    candidatesKey: "run-b/round-1/candidates.jsonl",
    candidateCount: 0,
  };
  assert.throws(
    () => parseFilterWork(work),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /^FilterWork of run run-a round 1 is invalid: /);
      assert.match(err.message, /idempotency_key is "run-a\/1\/train", expected "run-a\/1\/filter"/);
      assert.match(
        err.message,
        /candidates_key "run-b\/round-1\/candidates.jsonl" is outside the run's folder/,
      );
      assert.match(err.message, /candidate_count is 0/);
      assert.equal((err.details as string[]).length, 3);
      return true;
    },
  );
});

test("a FilterWork without context, or with a key that climbs out is refused", () => {
  const noContext = { ...fixtureFilterWork("run-a"), context: undefined };
  assert.throws(() => parseFilterWork(noContext), /context.run is not set/);
  const climbing = { ...fixtureFilterWork("run-a"), candidatesKey: "run-a/../run-b/candidates.jsonl" };
  assert.throws(() => parseFilterWork(climbing), /not a plain relative key/);
  const round0 = fixtureFilterWork("run-a", { round: 0 });
  assert.throws(() => parseFilterWork(round0), /context.round must be 1 or more/);
  const badRun = {
    ...fixtureFilterWork("run-a"),
    context: { run: "../etc", domain: "d", round: 1, correlationId: "" },
  };
  assert.throws(() => parseFilterWork(badRun), /cannot name a run folder/);
});
