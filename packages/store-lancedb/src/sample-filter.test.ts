import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { sampleFilter, sqlString } from "./sample-filter.js";

describe("sampleFilter", () => {
  it("always filters by run and adds set and round when given", () => {
    assert.equal(sampleFilter({ run: "r1" }), "`run` = 'r1'");
    assert.equal(
      sampleFilter({ run: "r1", setIndex: 0, round: 3 }),
      "`run` = 'r1' AND `setIndex` = 0 AND `round` = 3",
    );
  });

  it("doubles single quotes so a run name cannot end the literal", () => {
    assert.equal(sqlString("x' OR '1'='1"), "'x'' OR ''1''=''1'");
    assert.equal(sqlString("back\\slash"), "'back\\slash'");
  });

  it("refuses empty runs, NUL bytes and numbers that are not non-negative integers", () => {
    const bad = (err: unknown) => isIsaraError(err, "invalid_argument");
    assert.throws(() => sampleFilter({ run: "" }), bad);
    assert.throws(() => sampleFilter({ run: "a\0b" }), bad);
    for (const v of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      assert.throws(() => sampleFilter({ run: "r", setIndex: v }), bad);
      assert.throws(() => sampleFilter({ run: "r", round: v }), bad);
    }
  });
});
