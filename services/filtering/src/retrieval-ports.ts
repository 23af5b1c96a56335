/**
 * Core's `Embedder` and `VectorStore` ports over the retrieval service, for one filter pass: what
 * `@isara/core/pipeline`'s `filterStep` takes, so the distributed service runs the very step the embedded
 * mode runs and only the wiring differs. The step embeds the accepted prompts (gRPC `Embed`) and
 * stores them with their vectors (gRPC `Upsert`), in batches that stay under the retrieval service's
 * per-call limit. Both ports are views of one shared client for one work message (its run context
 * travels as metadata, its abort signal cancels the calls); `close` is a no-op here because the app
 * owns and closes the client.
 */
import type { RunContext } from "@isara/contracts";
import { dot, type Embedder, IsaraError, type Sample, type SampleQuery, type VectorStore } from "@isara/core";
import type { FilterStepPorts } from "@isara/core/pipeline";
import type { RetrievalClient } from "./retrieval-client.js";

/** Texts or samples per gRPC call: well under the retrieval service's limit of 1024 per call. */
export const RETRIEVAL_BATCH = 256;

function batches<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += RETRIEVAL_BATCH) out.push(items.slice(i, i + RETRIEVAL_BATCH));
  return out;
}

/**
 * The ports of one filter pass of `context.run`. The embedder reports the retrieval service's model
 * and dimension as of its last answer (empty and 0 before the first call: the filter step never
 * reads them). The store only touches `context.run`: a query for another run is refused, because one
 * work message must never write or read another run's samples.
 */
export function retrievalFilterPorts(
  client: RetrievalClient,
  context: RunContext,
  signal: AbortSignal,
): FilterStepPorts {
  let model = { modelId: "", dimension: 0 };
  const ownRun = (query: SampleQuery): Omit<SampleQuery, "run"> => {
    if (query.run !== context.run) {
      throw new IsaraError(
        "internal",
        `a filter pass of run ${context.run} asked for samples of run ${query.run}; this is a bug`,
      );
    }
    return {
      ...(query.setIndex === undefined ? {} : { setIndex: query.setIndex }),
      ...(query.round === undefined ? {} : { round: query.round }),
    };
  };

  const embedder: Embedder = {
    get modelId() {
      return model.modelId;
    },
    get dimension() {
      return model.dimension;
    },
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (const batch of batches(texts)) {
        const embedded = await client.embed(context, batch, signal);
        model = { modelId: embedded.modelId, dimension: embedded.dimension };
        vectors.push(...embedded.vectors);
      }
      return vectors;
    },
    close: async () => {},
  };

  const store: VectorStore = {
    async upsert(samples, vectors) {
      if (vectors.length !== samples.length) {
        throw new IsaraError(
          "internal",
          `upsert got ${vectors.length} vectors for ${samples.length} samples; vectors[i] must embed samples[i].prompt`,
        );
      }
      for (let i = 0; i < samples.length; i += RETRIEVAL_BATCH) {
        const end = i + RETRIEVAL_BATCH;
        await client.upsert(context, samples.slice(i, end), vectors.slice(i, end), signal);
      }
    },
    list: (query) => client.listSamples(context, ownRun(query), signal),
    /**
     * Exact nearest neighbours by brute force (list, embed, dot product): the retrieval service
     * chooses demos with `SelectDemos` and has no raw search call, and a filter pass never searches;
     * this keeps the port whole and correct for any filter that would.
     */
    async search(vector, k, query) {
      const samples: Sample[] = await client.listSamples(context, ownRun(query), signal);
      if (samples.length === 0 || k <= 0) return [];
      const vectors = await embedder.embed(samples.map((s) => s.prompt));
      return samples
        .map((sample, i) => ({ sample, score: dot(vector, vectors[i] ?? new Float32Array()) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k);
    },
    /**
     * Refused: a filter pass only adds to its run, and deleting a run's samples belongs to the
     * controller when the run is deleted (gRPC `DeleteRunSamples`), never to one work message.
     */
    async deleteRun(run) {
      throw new IsaraError(
        "internal",
        `a filter pass of run ${context.run} asked to delete the samples of run ${run}; this is a bug`,
      );
    },
    close: async () => {},
  };
  return { embedder, store };
}
