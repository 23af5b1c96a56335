import { type GgufTensor, type GgufValue, writeGguf } from "./gguf-writer.js";

/** Shape of a {@link writeTinyLlamaGguf} model: small enough to load and generate in milliseconds. */
export interface TinyLlamaShape {
  readonly embedding: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly feedForward: number;
  readonly contextLength: number;
}

/** The default tiny shape: 2 layers, 64 wide, grouped-query attention (4 query heads, 2 KV heads). */
export const TINY_LLAMA_SHAPE: TinyLlamaShape = {
  embedding: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  feedForward: 128,
  contextLength: 2048,
};

const WORDS = [
  "the",
  "a",
  "of",
  "and",
  "to",
  "in",
  "is",
  "it",
  "you",
  "that",
  "was",
  "for",
  "on",
  "are",
  "with",
  "as",
  "be",
  "at",
  "one",
  "have",
  "this",
  "from",
  "hello",
  "world",
  "model",
  "answer",
  "question",
  "USER",
  "ASSISTANT",
  "CONVERSATION",
  "BEGINNING",
  "END",
  "OF",
];

/** Options of {@link writeTinyLlamaGguf}. */
export interface TinyLlamaOptions {
  /** Seed of the random weights (default 1); the same seed writes the same file. */
  readonly seed?: number;
  readonly shape?: TinyLlamaShape;
  /**
   * Make a model that repeats its input: tiny layer weights and the output matrix tied to the
   * embeddings, so the likeliest next token is the one just read. Tests use it to know in advance
   * what greedy decoding writes, e.g. to check that a repetition penalty reaches prompt tokens.
   */
  readonly echo?: boolean;
}

/**
 * Writes a llama-architecture GGUF with random (seeded) F32 weights and a SentencePiece-style
 * vocabulary (control tokens, all 256 byte-fallback tokens, printable ASCII, a few words), the way
 * llama.cpp expects a real model. Tests load it to exercise the whole loading and generation path
 * in milliseconds without any download. The output rows of the control and byte tokens are zero, so
 * greedy decoding never ends early or emits broken UTF-8: outputs run to `maxTokens` unless stopped.
 */
export async function writeTinyLlamaGguf(path: string, options: TinyLlamaOptions = {}): Promise<void> {
  const shape = options.shape ?? TINY_LLAMA_SHAPE;
  const rand = uniform(options.seed ?? 1);
  const vocab = tinyVocab();
  const n = vocab.tokens.length;
  const e = shape.embedding;
  const kv = (e / shape.heads) * shape.kvHeads;
  const echo = options.echo ?? false;
  // An echo model has no output matrix: llama.cpp then ties it to the embeddings.
  const tensors: GgufTensor[] = [
    tensor("token_embd.weight", [e, n], rand, 1),
    tensor("output_norm.weight", [e], () => 1, 1),
    ...(echo ? [] : [outputTensor(e, n, vocab.plainFrom, rand)]),
  ];
  const scale = echo ? 0.01 : 0.2;
  for (let b = 0; b < shape.layers; b++) {
    tensors.push(
      tensor(`blk.${b}.attn_norm.weight`, [e], () => 1, 1),
      tensor(`blk.${b}.attn_q.weight`, [e, e], rand, scale),
      tensor(`blk.${b}.attn_k.weight`, [e, kv], rand, scale),
      tensor(`blk.${b}.attn_v.weight`, [e, kv], rand, scale),
      tensor(`blk.${b}.attn_output.weight`, [e, e], rand, scale),
      tensor(`blk.${b}.ffn_norm.weight`, [e], () => 1, 1),
      tensor(`blk.${b}.ffn_gate.weight`, [e, shape.feedForward], rand, scale),
      tensor(`blk.${b}.ffn_up.weight`, [e, shape.feedForward], rand, scale),
      tensor(`blk.${b}.ffn_down.weight`, [shape.feedForward, e], rand, scale),
    );
  }
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.type", { type: "string", value: "model" }],
    ["general.name", { type: "string", value: "isara-tiny-llama" }],
    ["general.file_type", { type: "uint32", value: 0 }],
    ["llama.context_length", { type: "uint32", value: shape.contextLength }],
    ["llama.embedding_length", { type: "uint32", value: e }],
    ["llama.block_count", { type: "uint32", value: shape.layers }],
    ["llama.feed_forward_length", { type: "uint32", value: shape.feedForward }],
    ["llama.attention.head_count", { type: "uint32", value: shape.heads }],
    ["llama.attention.head_count_kv", { type: "uint32", value: shape.kvHeads }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "float32", value: 1e-5 }],
    ["llama.rope.dimension_count", { type: "uint32", value: e / shape.heads }],
    ["llama.rope.freq_base", { type: "float32", value: 10000 }],
    ["llama.vocab_size", { type: "uint32", value: n }],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: "float32[]", value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: "int32[]", value: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", { type: "uint32", value: 0 }],
    ["tokenizer.ggml.bos_token_id", { type: "uint32", value: 1 }],
    ["tokenizer.ggml.eos_token_id", { type: "uint32", value: 2 }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
  ]);
  await writeGguf(path, { metadata, tensors });
}

/**
 * Writes a GGUF LoRA adapter for a {@link writeTinyLlamaGguf} model (rank `rank`, on every layer's
 * `attn_q`, `attn_v` and `ffn_down`), in llama.cpp's adapter format: `general.type = adapter`,
 * `adapter.type = lora`, `adapter.lora.alpha`, tensors `<weight>.lora_a` (`[in, rank]`) and
 * `<weight>.lora_b` (`[rank, out]`). Its weights are large on purpose, so that applying it visibly
 * changes what the model writes; a test can then tell "adapter applied" from "adapter ignored".
 */
export async function writeTinyLoraGguf(
  path: string,
  options: { readonly seed?: number; readonly rank?: number; readonly shape?: TinyLlamaShape } = {},
): Promise<void> {
  const shape = options.shape ?? TINY_LLAMA_SHAPE;
  const rank = options.rank ?? 4;
  const rand = uniform(options.seed ?? 2);
  const e = shape.embedding;
  const kv = (e / shape.heads) * shape.kvHeads;
  const tensors: GgufTensor[] = [];
  for (let b = 0; b < shape.layers; b++) {
    for (const [name, inDim, outDim] of [
      ["attn_q", e, e],
      ["attn_v", e, kv],
      ["ffn_down", shape.feedForward, e],
    ] as const) {
      tensors.push(
        tensor(`blk.${b}.${name}.weight.lora_a`, [inDim, rank], rand, 1),
        tensor(`blk.${b}.${name}.weight.lora_b`, [rank, outDim], rand, 1),
      );
    }
  }
  const metadata = new Map<string, GgufValue>([
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.type", { type: "string", value: "adapter" }],
    ["general.name", { type: "string", value: "isara-tiny-lora" }],
    ["adapter.type", { type: "string", value: "lora" }],
    ["adapter.lora.alpha", { type: "float32", value: rank }],
  ]);
  await writeGguf(path, { metadata, tensors });
}

interface TinyVocab {
  readonly tokens: string[];
  readonly scores: number[];
  readonly types: number[];
  /** Index of the first plain (non-control, non-byte) token. */
  readonly plainFrom: number;
}

/** Token types of llama.cpp: normal, unknown, control, byte. */
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

function tinyVocab(): TinyVocab {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types = [UNKNOWN, CONTROL, CONTROL];
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(BYTE);
  }
  const scores = tokens.map(() => 0);
  const plainFrom = tokens.length;
  const seen = new Set<string>();
  const add = (piece: string): void => {
    if (seen.has(piece)) return;
    seen.add(piece);
    tokens.push(piece);
    types.push(NORMAL);
    // SentencePiece merges the highest-scoring pair first: longer pieces win.
    scores.push(piece.length > 1 ? piece.length : -1);
  };
  add("\u2581");
  for (let c = 0x21; c < 0x7f; c++) add(String.fromCharCode(c));
  // Every prefix of a word is a piece, so the merges can build the word one character at a time.
  for (const word of WORDS) {
    const piece = `\u2581${word}`;
    for (let end = 2; end <= piece.length; end++) add(piece.slice(0, end));
  }
  return { tokens, scores, types, plainFrom };
}

/** `output.weight` with zero rows below `plainFrom`, so control and byte tokens score 0. */
function outputTensor(e: number, n: number, plainFrom: number, rand: () => number): GgufTensor {
  const data = new Float32Array(e * n);
  for (let row = plainFrom; row < n; row++) {
    for (let col = 0; col < e; col++) data[row * e + col] = rand() * 0.5;
  }
  return { name: "output.weight", dims: [e, n], data };
}

function tensor(name: string, dims: readonly number[], rand: () => number, scale: number): GgufTensor {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rand() * scale;
  return { name, dims, data };
}

/** Seeded uniform numbers in [-1, 1) (mulberry32), so a fixture is the same file on every run. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}
