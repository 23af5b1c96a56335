/**
 * The retrieval service's configuration: one zod schema over the environment, parsed once by
 * `main.ts` with the kit's `loadConfig` (every bad variable is listed at start, then the process
 * exits). Everything below is plain data; nothing reads `process.env` elsewhere.
 */
import { HASHING_EMBEDDER_DEFAULT_DIMENSION, HASHING_EMBEDDER_MAX_DIMENSION } from "@isara/embedder-local";
import {
  type Env,
  envDuration,
  envInt,
  envLogLevel,
  envPort,
  envUrl,
  type LogLevel,
  loadConfig,
} from "@isara/kit";
import { z } from "zod";

const envSchema = z
  .object({
    // Port the gRPC server (RetrievalService and grpc.health.v1) listens on.
    GRPC_PORT: envPort().default(50051),
    // Port of the probe server: /healthz, /readyz, /metrics.
    HTTP_PORT: envPort().default(8080),
    // Where samples and embeddings live: "qdrant" (shared server, any number of replicas) or "lancedb" (local folder, one replica).
    VECTOR_BACKEND: z.enum(["qdrant", "lancedb"]).default("qdrant"),
    // lancedb: folder of the LanceDB database; created when missing.
    LANCEDB_DIR: z.string().optional(),
    // qdrant: base URL of Qdrant's REST API, e.g. "http://qdrant:6333".
    QDRANT_URL: envUrl({ protocols: ["http", "https"] }).optional(),
    // qdrant: API key, when the server requires one.
    QDRANT_API_KEY: z.string().optional(),
    // qdrant: exact collection name; unset = QDRANT_COLLECTION_PREFIX + "<dimension>d".
    QDRANT_COLLECTION: z.string().optional(),
    // qdrant: prefix of the collection name when QDRANT_COLLECTION is unset (one collection per vector size).
    QDRANT_COLLECTION_PREFIX: z.string().default("isara-samples-"),
    // qdrant: how long one request to Qdrant may take before it fails with DEADLINE_EXCEEDED.
    QDRANT_TIMEOUT: envDuration().default(30_000),
    // Which embedder: "local" (the packaged sentence encoder, for real runs) or "hashing" (feature hashing: no model files, not semantic; tests and smoke runs only).
    EMBEDDER_BACKEND: z.enum(["local", "hashing"]).default("local"),
    // hashing: length of its vectors; unset = 16. (The local model's length is fixed by the model.)
    EMBEDDER_DIMENSION: envInt({ min: 1, max: HASHING_EMBEDDER_MAX_DIMENSION }).optional(),
    // local: folder of the packaged embedding model (all-MiniLM-L6-v2); unset = the ISARA cache's models folder.
    EMBEDDER_DIR: z.string().optional(),
    // local: CPU threads of one embedding forward pass; unset = all cores of the container.
    EMBEDDER_THREADS: envInt({ min: 1, max: 256 }).optional(),
    // Minimum log level (fatal, error, warn, info, debug, trace, silent).
    LOG_LEVEL: envLogLevel().default("info"),
    // Time in-flight calls get to finish on shutdown before the gRPC server is forced down; also each other component's close timeout.
    SHUTDOWN_TIMEOUT: envDuration().default(15_000),
  })
  .superRefine(
    (env, ctx) => {
      if (env.VECTOR_BACKEND === "lancedb" && env.LANCEDB_DIR === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["LANCEDB_DIR"],
          message: "is not set (required when VECTOR_BACKEND=lancedb; expected a folder path)",
        });
      }
      if (env.EMBEDDER_BACKEND === "local" && env.EMBEDDER_DIMENSION !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["EMBEDDER_DIMENSION"],
          message:
            "is set but EMBEDDER_BACKEND is local, whose model fixes the dimension (unset it, or set EMBEDDER_BACKEND=hashing)",
        });
      }
      if (env.VECTOR_BACKEND === "qdrant" && env.QDRANT_URL === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["QDRANT_URL"],
          message:
            'is not set (required when VECTOR_BACKEND=qdrant; expected a URL such as "http://qdrant:6333")',
        });
      }
    },
    // Run even when other variables are wrong, so the operator sees every problem at once.
    { when: () => true },
  );

/** Where the Qdrant-backed store lives. */
export interface QdrantStoreConfig {
  readonly backend: "qdrant";
  readonly url: string;
  readonly apiKey: string | undefined;
  /** Exact collection name, or undefined to derive it from `collectionPrefix` and the dimension. */
  readonly collection: string | undefined;
  readonly collectionPrefix: string;
  readonly timeoutMs: number;
}

/** Where the LanceDB-backed store lives. */
export interface LanceStoreConfig {
  readonly backend: "lancedb";
  readonly dir: string;
}

/** The vector store backend and its settings. */
export type StoreConfig = QdrantStoreConfig | LanceStoreConfig;

/** The packaged sentence encoder, loaded from local files: what real runs use. */
export interface LocalEmbedderConfig {
  readonly backend: "local";
  readonly modelDir: string | undefined;
  readonly threads: number | undefined;
}

/**
 * The feature-hashing embedder of `@isara/embedder-local`: no model files and not semantic, so demos
 * are chosen by word overlap only. For tests and smoke runs where retrieval quality does not matter.
 */
export interface HashingEmbedderConfig {
  readonly backend: "hashing";
  readonly dimension: number;
}

/** Which embedder the service runs, and its settings. */
export type EmbedderConfig = LocalEmbedderConfig | HashingEmbedderConfig;

/** The service's typed configuration. */
export interface RetrievalConfig {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly store: StoreConfig;
  readonly embedder: EmbedderConfig;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadRetrievalConfig(env: Env = process.env): RetrievalConfig {
  const e = loadConfig(envSchema, env);
  const store: StoreConfig =
    e.VECTOR_BACKEND === "lancedb"
      ? { backend: "lancedb", dir: e.LANCEDB_DIR ?? "" }
      : {
          backend: "qdrant",
          url: e.QDRANT_URL ?? "",
          apiKey: e.QDRANT_API_KEY,
          collection: e.QDRANT_COLLECTION,
          collectionPrefix: e.QDRANT_COLLECTION_PREFIX,
          timeoutMs: e.QDRANT_TIMEOUT,
        };
  return {
    grpcPort: e.GRPC_PORT,
    httpPort: e.HTTP_PORT,
    store,
    embedder:
      e.EMBEDDER_BACKEND === "hashing"
        ? { backend: "hashing", dimension: e.EMBEDDER_DIMENSION ?? HASHING_EMBEDDER_DEFAULT_DIMENSION }
        : { backend: "local", modelDir: e.EMBEDDER_DIR, threads: e.EMBEDDER_THREADS },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
  };
}
