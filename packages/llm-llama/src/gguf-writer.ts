import { writeFile } from "node:fs/promises";

/**
 * A metadata value of a GGUF file, tagged with its GGUF type so the bytes written are exactly what
 * llama.cpp expects (it reads `uint32` and `int32` differently, and checks array element types).
 */
export type GgufValue =
  | { readonly type: "uint32"; readonly value: number }
  | { readonly type: "int32"; readonly value: number }
  | { readonly type: "float32"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "string[]"; readonly value: readonly string[] }
  | { readonly type: "float32[]"; readonly value: readonly number[] }
  | { readonly type: "int32[]"; readonly value: readonly number[] };

/** One F32 tensor: `dims` innermost first (GGUF order, `dims[0]` is the row length). */
export interface GgufTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** What a GGUF file holds: metadata in insertion order, then tensors. */
export interface GgufContent {
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensor[];
}

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;
const ALIGNMENT = 32;
const TYPE_CODE = { uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9 } as const;
const GGML_TYPE_F32 = 0;

/**
 * Encodes a GGUF v3 file (header, metadata, tensor infos, 32-byte aligned F32 data). It exists so
 * tests can build tiny llama.cpp models and LoRA adapters on the fly instead of downloading them;
 * it writes only F32 tensors because that is all a fixture needs and llama.cpp runs them anywhere.
 */
export function encodeGguf(content: GgufContent): Uint8Array {
  const out = new ByteSink();
  out.u32(GGUF_MAGIC);
  out.u32(GGUF_VERSION);
  out.u64(content.tensors.length);
  out.u64(content.metadata.size);
  for (const [key, value] of content.metadata) {
    out.string(key);
    writeValue(out, value);
  }
  let offset = 0;
  for (const tensor of content.tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new Error(
        `tensor ${tensor.name}: dims ${tensor.dims.join("x")} need ${count} values, got ${tensor.data.length}`,
      );
    }
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const d of tensor.dims) out.u64(d);
    out.u32(GGML_TYPE_F32);
    out.u64(offset);
    offset = alignUp(offset + tensor.data.byteLength);
  }
  out.pad();
  for (const tensor of content.tensors) {
    out.bytes(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    out.pad();
  }
  return out.finish();
}

/** Writes {@link encodeGguf}'s bytes to `path`. */
export async function writeGguf(path: string, content: GgufContent): Promise<void> {
  await writeFile(path, encodeGguf(content));
}

function writeValue(out: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case "uint32":
      out.u32(TYPE_CODE.uint32);
      out.u32(v.value);
      return;
    case "int32":
      out.u32(TYPE_CODE.int32);
      out.i32(v.value);
      return;
    case "float32":
      out.u32(TYPE_CODE.float32);
      out.f32(v.value);
      return;
    case "bool":
      out.u32(TYPE_CODE.bool);
      out.bytes(Uint8Array.of(v.value ? 1 : 0));
      return;
    case "string":
      out.u32(TYPE_CODE.string);
      out.string(v.value);
      return;
    case "string[]":
      out.u32(TYPE_CODE.array);
      out.u32(TYPE_CODE.string);
      out.u64(v.value.length);
      for (const s of v.value) out.string(s);
      return;
    case "float32[]":
      out.u32(TYPE_CODE.array);
      out.u32(TYPE_CODE.float32);
      out.u64(v.value.length);
      for (const x of v.value) out.f32(x);
      return;
    case "int32[]":
      out.u32(TYPE_CODE.array);
      out.u32(TYPE_CODE.int32);
      out.u64(v.value.length);
      for (const x of v.value) out.i32(x);
      return;
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

/** Growable little-endian byte buffer. */
class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private length = 0;

  u32(n: number): void {
    this.view.setUint32(this.reserve(4), n, true);
  }
  i32(n: number): void {
    this.view.setInt32(this.reserve(4), n, true);
  }
  f32(n: number): void {
    this.view.setFloat32(this.reserve(4), n, true);
  }
  u64(n: number): void {
    this.view.setBigUint64(this.reserve(8), BigInt(n), true);
  }
  string(s: string): void {
    const utf8 = new TextEncoder().encode(s);
    this.u64(utf8.length);
    this.bytes(utf8);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length); // reserve first: it may replace this.buf
    this.buf.set(b, at);
  }
  /** Zero bytes up to the next multiple of the GGUF alignment. */
  pad(): void {
    this.reserve(alignUp(this.length) - this.length);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + n;
    return at;
  }
}
