import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IsaraError } from "@isara/core";
import { permissionError, realDiskFullError } from "../testing/failing-fs.js";
import { storeError } from "./fs-error.js";

describe("storeError", async () => {
  const diskFull = await realDiskFullError();

  it("reports a full disk as resource_exhausted, retryable, saying nothing was lost", {
    skip: diskFull ? false : "needs /dev/full to get a real ENOSPC from the kernel",
  }, () => {
    const err = storeError(diskFull, "write", "/runs/r1/state.json");
    assert.equal(err.code, "resource_exhausted");
    assert.equal(err.retryable, true);
    assert.match(err.message, /disk full while writing \/runs\/r1\/state\.json/);
    assert.match(err.message, /free space/);
    assert.match(err.message, /Nothing was lost/);
    assert.equal(err.cause, diskFull);
  });

  it("reports a permission problem as permission_denied with the path and the fix", () => {
    const err = storeError(permissionError("/runs/r1/x"), "write", "/runs/r1/x");
    assert.equal(err.code, "permission_denied");
    assert.match(err.message, /no permission to write \/runs\/r1\/x \(EACCES\)/);
    assert.match(err.message, /chmod\/chown/);
  });

  it("does not claim nothing was lost for reads", () => {
    const err = storeError(permissionError("/runs/r1/x"), "read", "/runs/r1/x");
    assert.match(err.message, /readable/);
    assert.doesNotMatch(err.message, /Nothing was lost/);
  });

  it("keeps IsaraErrors as they are and wraps unknown failures as internal", () => {
    const original = new IsaraError("invalid_argument", "bad key");
    assert.equal(storeError(original, "write", "/x"), original);
    const wrapped = storeError(new Error("boom"), "read", "/x");
    assert.equal(wrapped.code, "internal");
    assert.match(wrapped.message, /could not read \/x: boom/);
  });
});
