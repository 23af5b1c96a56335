/**
 * @isara/embedder-local: the Embedder port in process (all-MiniLM-L6-v2 on onnxruntime-node, CPU),
 * loaded from the model folder that `infra/fetch-embedder.sh` installs outside the repo; and the
 * feature-hashing embedder (no model files, not semantic) for tests and smoke runs.
 */
export * from "./batch-encoder.js";
export * from "./hashing-embedder.js";
export * from "./model-dir.js";
export * from "./model-manifest.js";
export * from "./neighbour-precision.js";
export * from "./onnx-embedder.js";
