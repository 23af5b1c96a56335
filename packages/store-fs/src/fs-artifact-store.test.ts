import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { failingFs, permissionError, realDiskFullError } from "../testing/failing-fs.js";
import { FsArtifactStore } from "./fs-artifact-store.js";

describe("FsArtifactStore", async () => {
  const root = await mkdtemp(join(tmpdir(), "isara-artifacts-"));
  after(() => rm(root, { recursive: true, force: true }));
  const store = new FsArtifactStore({ root });
  const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : bytes);

  it("writes, reads back and replaces artifacts by relative key", async () => {
    assert.equal(await store.read("round-1/accepted.jsonl"), undefined);
    assert.equal(await store.exists("round-1/accepted.jsonl"), false);
    await store.write("round-1/accepted.jsonl", '{"a":1}\n');
    assert.equal(text(await store.read("round-1/accepted.jsonl")), '{"a":1}\n');
    assert.equal(await store.exists("round-1/accepted.jsonl"), true);
    await store.write("round-1/accepted.jsonl", new Uint8Array([104, 105]));
    assert.equal(text(await store.read("round-1/accepted.jsonl")), "hi");
  });

  it("locates keys as absolute paths under the root, for tools that need a file", async () => {
    const path = store.locate("round-2/train/dataset.jsonl");
    assert.equal(path, join(root, "round-2", "train", "dataset.jsonl"));
    await store.write("round-2/train/dataset.jsonl", "rows");
    assert.equal(await readFile(path, "utf8"), "rows");
  });

  it("treats a folder as no artifact", async () => {
    await mkdir(join(root, "round-3", "train"), { recursive: true });
    assert.equal(await store.exists("round-3/train"), false);
    assert.equal(await store.exists("round-1/accepted.jsonl/child"), false);
  });

  it("refuses keys that escape the root, for every operation", async () => {
    for (const key of ["../escape.txt", "/etc/passwd", "a/../../b"]) {
      const bad = (err: unknown) => isIsaraError(err, "invalid_argument");
      await assert.rejects(store.write(key, "x"), bad);
      await assert.rejects(store.read(key), bad);
      await assert.rejects(store.exists(key), bad);
      assert.throws(() => store.locate(key), bad);
    }
  });

  it("keeps the old artifact and says so when the disk is full", async (t) => {
    const diskFull = await realDiskFullError();
    if (!diskFull) return t.skip("needs /dev/full to get a real ENOSPC from the kernel");
    await store.write("metrics.json", "{}");
    const full = new FsArtifactStore({ root, fs: failingFs("rename", diskFull) });
    await assert.rejects(
      full.write("metrics.json", '{"round":1}'),
      (err: unknown) =>
        isIsaraError(err, "resource_exhausted") && err.message.includes(join(root, "metrics.json")),
    );
    assert.equal(text(await store.read("metrics.json")), "{}");
  });

  it("reports a root it may not write as permission_denied", async () => {
    const locked = new FsArtifactStore({ root, fs: failingFs("write", permissionError(join(root, "x"))) });
    await assert.rejects(locked.write("x", "x"), (err: unknown) => isIsaraError(err, "permission_denied"));
  });
});
