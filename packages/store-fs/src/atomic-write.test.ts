import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { failingFs, permissionError, realDiskFullError } from "../testing/failing-fs.js";
import { writeFileAtomic } from "./atomic-write.js";

describe("writeFileAtomic", async () => {
  const dir = await mkdtemp(join(tmpdir(), "isara-atomic-"));
  after(() => rm(dir, { recursive: true, force: true }));
  const diskFull = (await realDiskFullError()) ?? permissionError("unused");

  it("creates parent folders and writes text and bytes", async () => {
    await writeFileAtomic(join(dir, "a", "b", "c.txt"), "hello");
    assert.equal(await readFile(join(dir, "a", "b", "c.txt"), "utf8"), "hello");
    await writeFileAtomic(join(dir, "bytes.bin"), new Uint8Array([0, 1, 255]));
    assert.deepEqual([...(await readFile(join(dir, "bytes.bin")))], [0, 1, 255]);
  });

  it("replaces an existing file and leaves no temporary files behind", async () => {
    const path = join(dir, "replace.txt");
    await writeFile(path, "old");
    await writeFileAtomic(path, "new");
    assert.equal(await readFile(path, "utf8"), "new");
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith(".tmp-")),
      [],
    );
  });

  for (const step of ["write", "rename"] as const) {
    it(`keeps the old content and removes the temp file when the disk fills at ${step}`, async () => {
      const path = join(dir, `full-${step}.txt`);
      await writeFile(path, "precious");
      await assert.rejects(
        writeFileAtomic(path, "new content", failingFs(step, diskFull)),
        (err: unknown) => isIsaraError(err) && err.message.includes(path),
      );
      assert.equal(await readFile(path, "utf8"), "precious");
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f.startsWith(".tmp-")),
        [],
      );
    });
  }

  it("reports a folder it may not create as permission_denied", async () => {
    const path = join(dir, "locked", "x.txt");
    await assert.rejects(
      writeFileAtomic(path, "x", failingFs("mkdir", permissionError(join(dir, "locked")))),
      (err: unknown) => isIsaraError(err, "permission_denied") && err.message.includes(path),
    );
  });
});
