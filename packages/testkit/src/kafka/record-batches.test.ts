import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { recordBatchSizes, recordBatchSizesIn } from "./record-batches.js";

/** A batch as a segment holds it: base offset, length, then `length` bytes. */
function batch(baseOffset: number, length: number): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigInt64BE(BigInt(baseOffset), 0);
  head.writeInt32BE(length, 8);
  return Buffer.concat([head, Buffer.alloc(length, 7)]);
}

const top = mkdtempSync(join(tmpdir(), "record-batches-"));
after(() => rmSync(top, { recursive: true, force: true }));

test("reads each batch's size, prefix included, in file order", () => {
  const segment = Buffer.concat([batch(0, 100), batch(5, 61), batch(9, 4000)]);
  assert.deepEqual(recordBatchSizesIn(segment), [112, 73, 4012]);
});

test("leaves out a batch cut short at the end, and reads nothing from an empty segment", () => {
  const cut = batch(5, 500).subarray(0, 300);
  assert.deepEqual(recordBatchSizesIn(Buffer.concat([batch(0, 100), cut])), [112]);
  assert.deepEqual(recordBatchSizesIn(Buffer.alloc(0)), []);
  assert.deepEqual(recordBatchSizesIn(Buffer.alloc(8)), []);
});

test("reads every partition of the topic named, and no other topic's", async () => {
  const data = join(top, "data");
  for (const [folder, sizes] of [
    ["isara.prompts.work-0", [100, 200]],
    ["isara.prompts.work-11", [50]],
    ["isara.prompts.written-0", [999]],
  ] as const) {
    mkdirSync(join(data, folder), { recursive: true });
    writeFileSync(
      join(data, folder, "00000000000000000000.log"),
      Buffer.concat(sizes.map((s) => batch(0, s))),
    );
    writeFileSync(join(data, folder, "00000000000000000000.index"), Buffer.alloc(64));
  }
  const sizes = await recordBatchSizes(top, "isara.prompts.work");
  assert.deepEqual(
    [...sizes].sort((a, b) => a - b),
    [62, 112, 212],
  );
  assert.deepEqual(await recordBatchSizes(top, "isara.train.work"), []);
});
