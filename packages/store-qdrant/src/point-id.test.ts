import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError, sampleId } from "@isara/core";
import { POINT_ID_NAMESPACE, pointIdFor, uuidV5 } from "./point-id.js";

const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NAMESPACE_DNS = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

describe("uuidV5", () => {
  it("matches an independent implementation (Python's uuid.uuid5)", () => {
    // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") and uuid.uuid5(UUID(POINT_ID_NAMESPACE), "run-1\0abc").
    assert.equal(uuidV5("python.org", NAMESPACE_DNS), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    assert.equal(uuidV5("run-1\0abc", POINT_ID_NAMESPACE), "5c9968d5-7813-50f5-9ac1-881b28b5d50b");
  });
});

describe("pointIdFor", () => {
  it("is stable: the same (run, sample id) maps to the same UUID on every call and machine", () => {
    const id = sampleId("run-1", 0, 0);
    assert.equal(pointIdFor("run-1", id), pointIdFor("run-1", id));
    // Pinned: a change here would make every stored sample unreachable by id and double retried upserts.
    assert.equal(pointIdFor("run-1", "abc"), "5c9968d5-7813-50f5-9ac1-881b28b5d50b");
  });

  it("gives distinct version-5 UUIDs to 100 000 sample ids of 50 runs", () => {
    const seen = new Set<string>();
    let count = 0;
    for (let r = 0; r < 50; r++) {
      const run = `run-${r}`;
      for (let round = 0; round < 4; round++) {
        for (let slot = 0; slot < 500; slot++) {
          const point = pointIdFor(run, sampleId(run, round, slot));
          assert.match(point, V5);
          seen.add(point);
          count++;
        }
      }
    }
    assert.equal(count, 100_000);
    assert.equal(seen.size, count, "no two samples share a point");
  });

  it("keeps tenants apart: the same sample id in two runs is two points", () => {
    assert.notEqual(pointIdFor("run-a", "same-id"), pointIdFor("run-b", "same-id"));
    assert.notEqual(pointIdFor("a/b", "c"), pointIdFor("a", "b/c"), "the separator cannot be forged");
  });

  it("refuses empty parts and NUL bytes with invalid_argument", () => {
    for (const [run, id] of [
      ["", "x"],
      ["r", ""],
      ["r\0", "x"],
      ["r", "x\0y"],
    ] as const) {
      assert.throws(
        () => pointIdFor(run, id),
        (err: unknown) => isIsaraError(err, "invalid_argument"),
      );
    }
  });
});
