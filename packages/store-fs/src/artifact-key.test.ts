import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { resolveArtifactKey } from "./artifact-key.js";

const root = resolve("/srv/runs/r1");

describe("resolveArtifactKey", () => {
  it("maps relative keys with / separators to paths under the root", () => {
    assert.equal(resolveArtifactKey(root, "state.json"), join(root, "state.json"));
    assert.equal(
      resolveArtifactKey(root, "round-1/train/adapter.gguf"),
      join(root, "round-1", "train", "adapter.gguf"),
    );
    assert.equal(
      resolveArtifactKey(root, "round-1/prompts.jsonl.partial"),
      join(root, "round-1", "prompts.jsonl.partial"),
    );
    assert.equal(resolveArtifactKey(root, "..hidden/..x"), join(root, "..hidden", "..x"));
  });

  for (const [key, why] of [
    ["", /is empty/],
    ["../other-run/state.json", /'\.\.'/],
    ["round-1/../../etc/passwd", /'\.\.'/],
    ["..", /'\.\.'/],
    ["/etc/passwd", /absolute/],
    ["C:/Windows/system.ini", /absolute/],
    ["round-1\\..\\..\\x", /backslash/],
    ["a//b", /empty or '\.'/],
    ["./a", /empty or '\.'/],
    ["a/", /empty or '\.'/],
    ["a\0b", /NUL/],
  ] as const) {
    it(`refuses ${JSON.stringify(key)}`, () => {
      assert.throws(
        () => resolveArtifactKey(root, key),
        (err: unknown) => isIsaraError(err, "invalid_argument") && why.test(err.message),
      );
    });
  }
});
