/**
 * @isara/embedder-local: the Embedder port in process (all-MiniLM-L6-v2 on onnxruntime-node, CPU),
 * loaded from the model folder that `infra/fetch-embedder.sh` installs outside the repo.
 */
export * from "./batch-encoder.js";
export * from "./model-dir.js";
export * from "./model-manifest.js";
export * from "./neighbour-precision.js";
export * from "./onnx-embedder.js";
