import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { IsaraError } from "@isara/core";

/** A padded batch of token ids in the layout a BERT ONNX graph takes (int64, row-major [rows, length]). */
export interface EncodedBatch {
  readonly rows: number;
  readonly length: number;
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly tokenTypeIds: BigInt64Array;
}

/**
 * Turns texts into model input with the model's own tokenizer.json (WordPiece, lower-casing, accent
 * handling, [CLS]/[SEP]), via the tokenizer code of transformers.js. Texts longer than `maxTokens`
 * are cut to their first `maxTokens - 1` tokens plus the closing [SEP], as sentence-transformers
 * truncates, so vectors match the Python reference for long prompts too.
 */
export class BatchEncoder {
  private constructor(
    private readonly tokenizer: Tokenizer,
    /** Longest sequence fed to the model, special tokens included. */
    readonly maxTokens: number,
  ) {}

  /** Loads `tokenizer.json` and `tokenizer_config.json` from the model folder. */
  static async load(modelDir: string, maxTokens: number): Promise<BatchEncoder> {
    const read = async (file: string) => {
      try {
        return JSON.parse(await readFile(join(modelDir, file), "utf8")) as object;
      } catch (err) {
        throw new IsaraError(
          "failed_precondition",
          `cannot read ${join(modelDir, file)}: the embedding model install is incomplete; ` +
            "reinstall with `bash infra/fetch-embedder.sh --force`",
          undefined,
          { cause: err },
        );
      }
    };
    const [json, config] = await Promise.all([read("tokenizer.json"), read("tokenizer_config.json")]);
    return new BatchEncoder(new Tokenizer(json, config), maxTokens);
  }

  /** Token ids of one text, special tokens included, truncated to `maxTokens`. */
  ids(text: string): number[] {
    const ids = this.tokenizer.encode(text).ids;
    if (ids.length <= this.maxTokens) return ids;
    const last = ids[ids.length - 1] as number;
    return [...ids.slice(0, this.maxTokens - 1), last];
  }

  /** Pads token id lists to the longest one, with an attention mask that hides the padding. */
  static pad(idLists: readonly (readonly number[])[]): EncodedBatch {
    const rows = idLists.length;
    const length = Math.max(1, ...idLists.map((ids) => ids.length));
    const inputIds = new BigInt64Array(rows * length);
    const attentionMask = new BigInt64Array(rows * length);
    idLists.forEach((ids, r) => {
      ids.forEach((id, c) => {
        inputIds[r * length + c] = BigInt(id);
        attentionMask[r * length + c] = 1n;
      });
    });
    return { rows, length, inputIds, attentionMask, tokenTypeIds: new BigInt64Array(rows * length) };
  }
}
