import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readGgufFileInfo } from "node-llama-cpp";
import { encodeGguf, type GgufValue, writeGguf } from "./gguf-writer.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-gguf-writer-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("a written GGUF reads back with the same metadata and tensor layout in node-llama-cpp's reader", async () => {
  const path = join(dir, "roundtrip.gguf");
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: "héllo" }],
    ["test.count", { type: "uint32", value: 7 }],
    ["test.offset", { type: "int32", value: -3 }],
    ["test.eps", { type: "float32", value: 0.5 }],
    ["test.flag", { type: "bool", value: true }],
    ["test.words", { type: "string[]", value: ["a", "bc", ""] }],
    ["test.scores", { type: "float32[]", value: [1.5, -2] }],
    ["test.ids", { type: "int32[]", value: [1, -1] }],
  ]);
  const tensors = [
    { name: "a.weight", dims: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    { name: "b.weight", dims: [5], data: new Float32Array(5) },
  ];
  await writeGguf(path, { metadata, tensors });
  const info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false });
  assert.equal(info.version, 3);
  assert.deepEqual(info.metadata.general, { architecture: "llama", name: "héllo" });
  assert.deepEqual((info.metadata as unknown as Record<string, unknown>).test, {
    count: 7,
    offset: -3,
    eps: 0.5,
    flag: true,
    words: ["a", "bc", ""],
    scores: [1.5, -2],
    ids: [1, -1],
  });
  const layout = info.tensorInfo?.map((t) => ({
    name: t.name,
    dims: t.dimensions.map(Number),
    offset: Number(t.offset),
  }));
  assert.deepEqual(layout, [
    { name: "a.weight", dims: [3, 2], offset: 0 },
    { name: "b.weight", dims: [5], offset: 32 },
  ]);
});

test("tensor data starts on a 32-byte boundary and holds the values little-endian", () => {
  const bytes = encodeGguf({
    metadata: new Map([["general.architecture", { type: "string", value: "llama" }]]),
    tensors: [{ name: "t", dims: [2], data: Float32Array.from([1.25, -7]) }],
  });
  assert.equal(bytes.length % 32, 0);
  const tail = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 32, 8);
  assert.equal(tail.getFloat32(0, true), 1.25);
  assert.equal(tail.getFloat32(4, true), -7);
});

test("a tensor whose data does not match its dims is refused", () => {
  assert.throws(
    () =>
      encodeGguf({
        metadata: new Map(),
        tensors: [{ name: "bad", dims: [2, 2], data: new Float32Array(3) }],
      }),
    /bad: dims 2x2 need 4 values, got 3/,
  );
});
