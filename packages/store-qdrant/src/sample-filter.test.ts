import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { sampleFilter } from "./sample-filter.js";

const invalid = (err: unknown) => isIsaraError(err, "invalid_argument");

describe("sampleFilter", () => {
  it("always filters by run, the tenant field", () => {
    assert.deepEqual(sampleFilter({ run: "run-1" }), { must: [{ key: "run", match: { value: "run-1" } }] });
  });

  it("adds set and round conditions when given, including 0", () => {
    assert.deepEqual(sampleFilter({ run: "r", setIndex: 0, round: 2 }), {
      must: [
        { key: "run", match: { value: "r" } },
        { key: "setIndex", match: { value: 0 } },
        { key: "round", match: { value: 2 } },
      ],
    });
    assert.deepEqual(
      sampleFilter({ run: "r", round: 0 }).must.map((c) => c.key),
      ["run", "round"],
    );
  });

  it("passes run names through as values, never as syntax", () => {
    const run = `x' OR '1'='1" \\ %_*`;
    assert.deepEqual(sampleFilter({ run }).must[0], { key: "run", match: { value: run } });
  });

  it("refuses a missing run and non-integer or negative positions", () => {
    assert.throws(() => sampleFilter({ run: "" }), invalid);
    assert.throws(() => sampleFilter({ run: "r", setIndex: 1.5 }), invalid);
    assert.throws(() => sampleFilter({ run: "r", setIndex: -1 }), invalid);
    assert.throws(() => sampleFilter({ run: "r", round: Number.NaN }), invalid);
    assert.throws(() => sampleFilter({ run: "r", round: 2 ** 31 }), invalid);
  });
});
