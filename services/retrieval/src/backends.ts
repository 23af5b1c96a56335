/**
 * Opens the adapters the configuration names: the embedder (the packaged model, or feature hashing
 * for tests and smoke runs) and the vector store (Qdrant or LanceDB) sized to its vectors. Only `main.ts` calls this; tests build the app
 * from adapters they open themselves.
 */
import type { Embedder, VectorStore } from "@isara/core";
import { createHashingEmbedder, openLocalEmbedder } from "@isara/embedder-local";
import { openLanceVectorStore } from "@isara/store-lancedb";
import { openQdrantVectorStore } from "@isara/store-qdrant";
import type { EmbedderConfig, StoreConfig } from "./config.js";

/**
 * Opens the configured embedder: the packaged model from its folder (`not_found` with the install
 * hint when missing), or the feature-hashing embedder, which needs no files.
 */
export async function openEmbedder(config: EmbedderConfig): Promise<Embedder> {
  if (config.backend === "hashing") return createHashingEmbedder({ dimension: config.dimension });
  return openLocalEmbedder({
    ...(config.modelDir === undefined ? {} : { modelDir: config.modelDir }),
    ...(config.threads === undefined ? {} : { threads: config.threads }),
  });
}

/** An opened store, with a readiness probe when the store is remote. */
export interface OpenedStore {
  readonly store: VectorStore;
  readonly probe?: () => Promise<void>;
  /** Where the store is, for the start-up log line (no credentials). */
  readonly location: string;
}

/**
 * Opens the configured vector store for `dimension`-d vectors. Qdrant: creates the collection and
 * its payload indexes when missing (`unavailable` naming the URL when the server is down). LanceDB:
 * opens or creates the table in the folder.
 */
export async function openStore(config: StoreConfig, dimension: number): Promise<OpenedStore> {
  if (config.backend === "lancedb") {
    const store = await openLanceVectorStore({ dir: config.dir, dimension });
    return { store, location: `lancedb:${config.dir}` };
  }
  const common = { url: config.url, apiKey: config.apiKey, dimension, timeoutMs: config.timeoutMs };
  const store = await openQdrantVectorStore(
    config.collection === undefined
      ? { ...common, collectionPrefix: config.collectionPrefix }
      : { ...common, collection: config.collection },
  );
  return { store, probe: () => store.ping(), location: `qdrant collection ${store.collection}` };
}
