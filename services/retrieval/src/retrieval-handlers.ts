/**
 * The five RetrievalService methods over the VectorStore and Embedder ports and core's demo
 * selectors. Requests are checked whole before anything is embedded or stored (see request-checks).
 */
import type { handleUnaryCall } from "@grpc/grpc-js";
import {
  type DeleteRunSamplesRequest,
  type DeleteRunSamplesResponse,
  DropFrom,
  demoRefToWire,
  type EmbedRequest,
  type EmbedResponse,
  type ListSamplesRequest,
  type ListSamplesResponse,
  type RetrievalServiceServer,
  type SelectDemosRequest,
  type SelectDemosResponse,
  sampleFromWire,
  sampleToWire,
  type UpsertRequest,
  type UpsertResponse,
} from "@isara/contracts";
import { type Embedder, IsaraError, type Sample, type SampleQuery, type VectorStore } from "@isara/core";
import type { Logger } from "@isara/kit";
import { selectNearestFromStore, selectRandomFromStore } from "./demo-selection.js";
import { unaryCall } from "./grpc-call.js";
import { compareSamples, decodePageToken, encodePageToken, pageSizeFor } from "./page-token.js";
import {
  checkCount,
  checkLength,
  checkQuotas,
  checkText,
  checkTexts,
  requireContext,
  vectorFromWire,
} from "./request-checks.js";
import type { RetrievalMetrics } from "./service-metrics.js";

/** What the handlers are built from. */
export interface RetrievalHandlerDeps {
  readonly store: VectorStore;
  readonly embedder: Embedder;
  readonly logger: Logger;
  readonly metrics: RetrievalMetrics;
}

/** Checks and converts an Upsert's samples and vectors; embeds the prompts when no vectors were sent. */
async function upsertInput(
  request: UpsertRequest,
  embedder: Embedder,
  metrics: RetrievalMetrics,
): Promise<{ samples: Sample[]; vectors: Float32Array[] }> {
  const { run } = requireContext(request.context);
  checkCount(request.samples.length, "samples");
  const samples = request.samples.map((wire, i) => {
    if (wire.run !== run) {
      throw new IsaraError(
        "invalid_argument",
        `samples[${i}].run is ${JSON.stringify(wire.run)} but context.run is ${JSON.stringify(run)}; ` +
          "one call writes to one run, so send each run's samples in its own call",
      );
    }
    checkText(wire.prompt, `samples[${i}].prompt`);
    checkLength(wire.response, `samples[${i}].response`);
    return sampleFromWire(wire);
  });
  if (request.vectors.length > 0) {
    if (request.vectors.length !== samples.length) {
      throw new IsaraError(
        "invalid_argument",
        `got ${request.vectors.length} vectors for ${samples.length} samples; send one vector per sample ` +
          "(vectors[i] embeds samples[i].prompt), or none to let the service embed the prompts",
      );
    }
    const vectors = request.vectors.map((v, i) =>
      vectorFromWire(v, embedder.dimension, embedder.modelId, `vectors[${i}]`),
    );
    return { samples, vectors };
  }
  const vectors = samples.length === 0 ? [] : await embedder.embed(samples.map((s) => s.prompt));
  metrics.textsEmbedded.inc(samples.length);
  return { samples, vectors };
}

/** The RetrievalService implementation (see the module comment). */
export function createRetrievalHandlers(deps: RetrievalHandlerDeps): RetrievalServiceServer {
  const { store, embedder, metrics } = deps;
  const options = { logger: deps.logger, metrics };

  const embed: handleUnaryCall<EmbedRequest, EmbedResponse> = unaryCall("Embed", options, async (request) => {
    requireContext(request.context);
    checkTexts(request.texts);
    const vectors = await embedder.embed(request.texts);
    metrics.textsEmbedded.inc(request.texts.length);
    return {
      vectors: vectors.map((v) => ({ values: Array.from(v) })),
      modelId: embedder.modelId,
      dimension: embedder.dimension,
    };
  });

  const upsert: handleUnaryCall<UpsertRequest, UpsertResponse> = unaryCall(
    "Upsert",
    options,
    async (request, { log }) => {
      const { samples, vectors } = await upsertInput(request, embedder, metrics);
      if (samples.length > 0) await store.upsert(samples, vectors);
      metrics.samplesUpserted.inc(samples.length);
      log.debug({ samples: samples.length, embedded: request.vectors.length === 0 }, "samples upserted");
      return { upserted: samples.length };
    },
  );

  const selectDemos: handleUnaryCall<SelectDemosRequest, SelectDemosResponse> = unaryCall(
    "SelectDemos",
    options,
    async (request) => {
      const { run } = requireContext(request.context);
      checkQuotas(request.quotas);
      const strategy = request.strategy;
      if (strategy === undefined) {
        throw new IsaraError(
          "invalid_argument",
          "strategy is missing; set random (with a seed) to write a prompt, or nearest (with the prompt) to write its answer",
        );
      }
      let selection: Awaited<ReturnType<typeof selectRandomFromStore>>;
      if (strategy.$case === "random") {
        selection = await selectRandomFromStore(store, run, request.quotas, strategy.value.seed);
      } else {
        const { prompt } = strategy.value;
        checkText(prompt, "nearest.prompt");
        let vector: Float32Array;
        if (strategy.value.vector === undefined) {
          const [embedded] = await embedder.embed([prompt]);
          if (embedded === undefined) throw new IsaraError("internal", "the embedder returned no vector");
          metrics.textsEmbedded.inc();
          vector = embedded;
        } else {
          vector = vectorFromWire(
            strategy.value.vector,
            embedder.dimension,
            embedder.modelId,
            "nearest.vector",
          );
        }
        selection = await selectNearestFromStore(store, run, request.quotas, prompt, vector);
      }
      metrics.demosSelected.inc({ strategy: strategy.$case }, selection.picks.length);
      return {
        picks: selection.picks.map((pick) => ({
          sample: sampleToWire(pick.sample),
          ref: demoRefToWire(pick.ref),
        })),
        dropFrom: selection.dropFrom === "start" ? DropFrom.START : DropFrom.END,
      };
    },
  );

  const listSamples: handleUnaryCall<ListSamplesRequest, ListSamplesResponse> = unaryCall(
    "ListSamples",
    options,
    async (request) => {
      const { run } = requireContext(request.context);
      const query: SampleQuery = {
        run,
        ...(request.setIndex === undefined ? {} : { setIndex: request.setIndex }),
        ...(request.round === undefined ? {} : { round: request.round }),
      };
      const after = decodePageToken(request.pageToken, query);
      const size = pageSizeFor(request.pageSize);
      const all = (await store.list(query)).sort(compareSamples);
      const rest = after === undefined ? all : all.filter((s) => compareSamples(s, after) > 0);
      const page = rest.slice(0, size);
      const last = page[page.length - 1];
      return {
        samples: page.map(sampleToWire),
        nextPageToken: rest.length > size && last !== undefined ? encodePageToken(query, last) : "",
      };
    },
  );

  const deleteRunSamples: handleUnaryCall<DeleteRunSamplesRequest, DeleteRunSamplesResponse> = unaryCall(
    "DeleteRunSamples",
    options,
    async (request, { log }) => {
      const { run } = requireContext(request.context);
      const deleted = await store.deleteRun(run);
      metrics.samplesDeleted.inc(deleted);
      log.info({ deleted }, "run samples deleted");
      return { deleted };
    },
  );

  return { embed, upsert, selectDemos, listSamples, deleteRunSamples };
}
