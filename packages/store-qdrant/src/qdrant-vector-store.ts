import { IsaraError, type Sample, type SampleQuery, type ScoredSample, type VectorStore } from "@isara/core";
import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import { openCollection } from "./collection-setup.js";
import { pointIdFor } from "./point-id.js";
import { displayUrl, qdrantCall } from "./qdrant-errors.js";
import { sampleFilter } from "./sample-filter.js";
import { fromPayload, toPayload } from "./sample-payload.js";
import { checkSample, checkVector } from "./vector-input.js";

/** Where the store lives; give exactly one of `collection` and `collectionPrefix`. */
interface QdrantConnectionOptions {
  /** Base URL of Qdrant's REST API, e.g. `http://qdrant:6333`. */
  readonly url: string;
  /** API key, when the server requires one; sent as the `api-key` header. */
  readonly apiKey?: string;
  /** Length of every embedding (the embedder's `dimension`); checked against an existing collection. */
  readonly dimension: number;
  /** Client-side timeout of one request in milliseconds; default 30 000. */
  readonly timeoutMs?: number;
}

/** Options of {@link openQdrantVectorStore}. */
export type QdrantVectorStoreOptions = QdrantConnectionOptions &
  (
    | {
        /** Exact collection name; opening fails if it holds vectors of another length. */
        readonly collection: string;
        readonly collectionPrefix?: undefined;
      }
    | {
        /** The collection is `<prefix><dimension>d`, so a new embedding model gets a new collection. */
        readonly collectionPrefix: string;
        readonly collection?: undefined;
      }
  );

/** Points per upsert request: keeps request bodies around a few MB for 384-d vectors and long texts. */
const UPSERT_BATCH = 256;
/** Points per scroll page when listing. */
const SCROLL_PAGE = 256;
const COLLECTION_NAME = /^[A-Za-z0-9_.-]{1,255}$/;

/** The collection a store with these options uses. */
export function collectionNameFor(options: QdrantVectorStoreOptions): string {
  const name = options.collection ?? `${options.collectionPrefix ?? ""}${options.dimension}d`;
  if (!COLLECTION_NAME.test(name)) {
    throw new IsaraError(
      "invalid_argument",
      `Qdrant collection name ${JSON.stringify(name)} is not allowed; use 1-255 letters, digits, "_", "-" or "."`,
    );
  }
  return name;
}

function bySetAndSlot(a: Sample, b: Sample): number {
  return a.setIndex - b.setIndex || a.slot - b.slot || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The VectorStore port over a Qdrant server, for the distributed mode. All runs share ONE collection
 * with a tenant payload index on `run` (see the package README for why not one collection per run);
 * every read filters by run, so one run never sees another's samples. Point ids are UUIDs derived
 * from (run, sample id), so upserts are idempotent; the sample id stays in the payload. Search is
 * exact cosine similarity (the score is the cosine, independent of vector length), so both wirings
 * of ISARA pick the same demos from the same data. Failures are IsaraErrors that name the server.
 */
export class QdrantVectorStore implements VectorStore {
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(
    private readonly client: QdrantClient,
    private readonly url: string,
    /** The collection the samples live in. */
    readonly collection: string,
    /** Length of every vector in the store. */
    readonly dimension: number,
  ) {}

  /**
   * Connects, creates the collection and its payload indexes when missing, and checks an existing
   * collection's vector size and distance. Fails with `unavailable` naming the URL when Qdrant cannot
   * be reached, `failed_precondition` when the collection holds vectors of another length.
   */
  static async open(options: QdrantVectorStoreOptions): Promise<QdrantVectorStore> {
    const { url, dimension } = options;
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new IsaraError(
        "invalid_argument",
        `vector dimension must be a positive integer, got ${dimension}`,
      );
    }
    if (!/^https?:\/\/[^/]/.test(url)) {
      throw new IsaraError(
        "invalid_argument",
        `Qdrant URL must start with http:// or https:// and name a host, e.g. "http://qdrant:6333"; got ${JSON.stringify(displayUrl(url))}`,
      );
    }
    const collection = collectionNameFor(options);
    // The client ignores a URL's path; pass it as the prefix so a Qdrant behind a proxy path works.
    const parsed = new URL(url);
    const prefix = parsed.pathname.replace(/\/+$/, "");
    const client = new QdrantClient({
      url: `${parsed.protocol}//${parsed.host}`,
      ...(prefix === "" ? {} : { prefix }),
      timeout: options.timeoutMs ?? 30_000,
      // The compatibility check runs unawaited and reports through console.warn; opening checks the
      // server with a real call instead, and failures surface as IsaraErrors in the JSON log.
      checkCompatibility: false,
      // Passed as a header rather than `apiKey`, which console.warns on http:// URLs (in-cluster traffic).
      ...(options.apiKey ? { headers: { "api-key": options.apiKey } } : {}),
    });
    await openCollection(client, url, collection, dimension);
    return new QdrantVectorStore(client, url, collection, dimension);
  }

  /** Inserts or replaces samples by (run, id); within one call the last copy of an id wins. */
  async upsert(samples: readonly Sample[], vectors: readonly Float32Array[]): Promise<void> {
    this.checkOpen();
    if (samples.length !== vectors.length) {
      throw new IsaraError(
        "invalid_argument",
        `upsert got ${samples.length} samples but ${vectors.length} vectors; give one prompt embedding per sample`,
      );
    }
    const points = new Map<string, Schemas["PointStruct"]>();
    samples.forEach((sample, i) => {
      checkSample(sample, i);
      const vector = checkVector(vectors[i], this.dimension, `vectors[${i}]`);
      const id = pointIdFor(sample.run, sample.id);
      points.set(id, { id, vector: Array.from(vector), payload: toPayload(sample) });
    });
    const all = [...points.values()];
    for (let start = 0; start < all.length; start += UPSERT_BATCH) {
      const batch = all.slice(start, start + UPSERT_BATCH);
      await this.track(
        qdrantCall(this.url, `upsert ${batch.length} samples into collection ${this.collection}`, () =>
          this.client.upsert(this.collection, { wait: true, points: batch }),
        ),
      );
    }
  }

  /** The `k` samples matching `query` with the highest cosine similarity to `vector`, best first. */
  async search(vector: Float32Array, k: number, query: SampleQuery): Promise<ScoredSample[]> {
    this.checkOpen();
    checkVector(vector, this.dimension, "the query vector");
    if (!Number.isInteger(k) || k < 0) {
      throw new IsaraError("invalid_argument", `k must be a non-negative integer, got ${k}`);
    }
    const filter = sampleFilter(query);
    if (k === 0) return [];
    const result = await this.track(
      qdrantCall(this.url, `search collection ${this.collection}`, () =>
        this.client.query(this.collection, {
          query: Array.from(vector),
          filter: { must: [...filter.must] },
          limit: k,
          with_payload: true,
          // Exact: a run holds thousands of points, so a filtered full scan is cheap, and exact results
          // are the same as LanceDB's, so both wirings select the same demos.
          params: { exact: true },
        }),
      ),
    );
    return result.points
      .map((point) => ({ sample: fromPayload(point.id, point.payload), score: point.score }))
      .sort((a, b) => b.score - a.score || bySetAndSlot(a.sample, b.sample));
  }

  /** Every sample matching `query`, in (setIndex, slot) order (ties by id), read page by page. */
  async list(query: SampleQuery): Promise<Sample[]> {
    this.checkOpen();
    const filter = sampleFilter(query);
    const samples: Sample[] = [];
    let offset: Schemas["ExtendedPointId"] | undefined;
    do {
      const page = await this.track(
        qdrantCall(this.url, `list samples of collection ${this.collection}`, () =>
          this.client.scroll(this.collection, {
            filter: { must: [...filter.must] },
            limit: SCROLL_PAGE,
            with_payload: true,
            with_vector: false,
            ...(offset === undefined ? {} : { offset }),
          }),
        ),
      );
      for (const point of page.points) samples.push(fromPayload(point.id, point.payload));
      const next = page.next_page_offset;
      offset = typeof next === "string" || typeof next === "number" ? next : undefined;
    } while (offset !== undefined);
    // Scroll pages come in point-id (UUID) order; the port promises (setIndex, slot) order.
    return samples.sort(bySetAndSlot);
  }

  /**
   * Deletes every point of `run` (one filtered delete on the tenant field, waited for) and resolves
   * with how many there were, counted exactly just before. Other runs in the shared collection are
   * untouched; deleting a run with no points is a no-op that resolves 0.
   */
  async deleteRun(run: string): Promise<number> {
    this.checkOpen();
    const filter = { must: [...sampleFilter({ run }).must] };
    const { count } = await this.track(
      qdrantCall(this.url, `count the samples of run ${run} in collection ${this.collection}`, () =>
        this.client.count(this.collection, { filter, exact: true }),
      ),
    );
    if (count === 0) return 0;
    await this.track(
      qdrantCall(this.url, `delete the samples of run ${run} from collection ${this.collection}`, () =>
        this.client.delete(this.collection, { wait: true, filter }),
      ),
    );
    return count;
  }

  /**
   * Checks that Qdrant answers and the collection still exists; for readiness probes.
   * @throws IsaraError `unavailable` when the server cannot be reached, `not_found` when the collection is gone.
   */
  async ping(): Promise<void> {
    this.checkOpen();
    const { exists } = await qdrantCall(this.url, `check collection ${this.collection}`, () =>
      this.client.collectionExists(this.collection),
    );
    if (!exists) {
      throw new IsaraError(
        "not_found",
        `Qdrant collection ${this.collection} no longer exists; restart to recreate it`,
      );
    }
  }

  /** Waits for requests in flight, then refuses further calls. The REST client holds no other resource. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }

  private async track<T>(request: Promise<T>): Promise<T> {
    this.pending.add(request);
    try {
      return await request;
    } finally {
      this.pending.delete(request);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new IsaraError("failed_precondition", "the vector store is closed; open it again");
  }
}

/** Opens the Qdrant vector store (same as {@link QdrantVectorStore.open}), for wiring code. */
export function openQdrantVectorStore(options: QdrantVectorStoreOptions): Promise<QdrantVectorStore> {
  return QdrantVectorStore.open(options);
}
