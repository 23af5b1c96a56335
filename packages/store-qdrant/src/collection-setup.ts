import { IsaraError } from "@isara/core";
import type { QdrantClient } from "@qdrant/js-client-rest";
import { displayUrl, qdrantCall } from "./qdrant-errors.js";
import { PAYLOAD_INDEXES } from "./sample-payload.js";

/** The size and distance of a collection's unnamed vector, or undefined when it has none. */
function vectorShape(vectors: unknown): { size: number; distance: string } | undefined {
  if (typeof vectors !== "object" || vectors === null) return undefined;
  if (!("size" in vectors) || !("distance" in vectors)) return undefined;
  const { size, distance } = vectors;
  return typeof size === "number" && typeof distance === "string" ? { size, distance } : undefined;
}

/**
 * Makes sure `collection` exists with `dimension`-d cosine vectors and the payload indexes on `run`
 * (tenant), `setIndex` and `round`. Safe to run from several replicas at once: a collection created
 * by another replica between our check and our create is accepted, and indexes are created only
 * when missing. HNSW is built per tenant (`payload_m`) and not globally (`m: 0`), as Qdrant advises
 * for multitenancy: every query is filtered by run, so a global graph would never be used.
 *
 * @throws IsaraError `failed_precondition` when the collection exists with another vector size or
 *   distance, or with named vectors: its points cannot be searched with this embedder's vectors.
 */
export async function openCollection(
  client: QdrantClient,
  url: string,
  collection: string,
  dimension: number,
): Promise<void> {
  const exists = async () =>
    (
      await qdrantCall(url, `check whether collection ${collection} exists`, () =>
        client.collectionExists(collection),
      )
    ).exists;
  if (!(await exists())) {
    try {
      await qdrantCall(url, `create collection ${collection}`, () =>
        client.createCollection(collection, {
          vectors: { size: dimension, distance: "Cosine" },
          hnsw_config: { m: 0, payload_m: 16 },
        }),
      );
    } catch (err) {
      // Another replica may have created it meanwhile; anything else is a real failure.
      if (!(await exists())) throw err;
    }
  }
  const info = await qdrantCall(url, `read collection ${collection}`, () => client.getCollection(collection));
  const shape = vectorShape(info.config.params.vectors);
  if (shape === undefined || shape.size !== dimension || shape.distance !== "Cosine") {
    const found = shape === undefined ? "named or no vectors" : `${shape.size}-d ${shape.distance} vectors`;
    throw new IsaraError(
      "failed_precondition",
      `Qdrant collection ${collection} at ${displayUrl(url)} holds ${found}, but this store needs ${dimension}-d ` +
        "Cosine vectors; use the embedding model the collection was made with, or another collection",
      { collection, found: shape, dimension },
    );
  }
  const indexed = info.payload_schema ?? {};
  for (const { field, schema } of PAYLOAD_INDEXES) {
    if (field in indexed) continue;
    await qdrantCall(url, `create the payload index on ${field} in collection ${collection}`, () =>
      client.createPayloadIndex(collection, { field_name: field, field_schema: schema, wait: true }),
    );
  }
}
