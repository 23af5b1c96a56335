/**
 * The filtering service's side of the retrieval service's gRPC API: `Embed`, `Upsert` and
 * `ListSamples`, with core's types in and out. Every call carries the work's log context as gRPC
 * metadata, has a deadline, and is cancelled with the work (shutdown); a failure comes back as an
 * `IsaraError` whose code tells the stage consumer whether to retry (`grpcFailure`).
 */
import {
  type CallOptions,
  ChannelCredentials,
  type ClientOptions,
  type ClientUnaryCall,
  connectivityState,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { RetrievalServiceClient, type RunContext, sampleFromWire, sampleToWire } from "@isara/contracts";
import { IsaraError, type Sample, type SampleQuery } from "@isara/core";
import { logContextOf } from "@isara/kafka-kit";
import { contextToGrpcMetadata } from "@isara/kit";
import { grpcFailure } from "@isara/kit/grpc";

/** Vectors of an `Embed` call, with the model that made them. */
export interface Embedded {
  readonly vectors: Float32Array[];
  readonly modelId: string;
  readonly dimension: number;
}

/** The calls the filtering service makes; `close` releases the connection. */
export interface RetrievalClient {
  /** Embeds `texts` with the service's embedding model. */
  embed(context: RunContext, texts: readonly string[], signal: AbortSignal): Promise<Embedded>;
  /** Inserts or replaces `samples` by id; `vectors[i]` embeds `samples[i].prompt`. Returns how many were written. */
  upsert(
    context: RunContext,
    samples: readonly Sample[],
    vectors: readonly Float32Array[],
    signal: AbortSignal,
  ): Promise<number>;
  /** Every sample of `context.run` matching `query` (all pages), in (setIndex, slot) order. */
  listSamples(context: RunContext, query: Omit<SampleQuery, "run">, signal: AbortSignal): Promise<Sample[]>;
  /** Readiness: throws while the retrieval service cannot be reached. */
  readiness(): string;
  close(): void;
}

/** Settings of {@link createRetrievalClient}. */
export interface RetrievalClientOptions {
  /** `host:port` of the retrieval service. */
  readonly address: string;
  /** Deadline of one call. */
  readonly timeoutMs: number;
  /** Channel credentials (default: plaintext, as inside a cluster network). */
  readonly credentials?: ChannelCredentials;
  /** grpc-js channel options. */
  readonly channelOptions?: Partial<ClientOptions>;
}

/** Largest request the filtering service sends: the retrieval service accepts up to 64 MiB. */
const MAX_SEND_BYTES = 64 * 1024 * 1024;

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (err: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** A {@link RetrievalClient} over the generated grpc-js client. */
export function createRetrievalClient(options: RetrievalClientOptions): RetrievalClient {
  const client = new RetrievalServiceClient(
    options.address,
    options.credentials ?? ChannelCredentials.createInsecure(),
    { "grpc.max_send_message_length": MAX_SEND_BYTES, ...options.channelOptions },
  );

  function unary<Req, Res>(
    name: string,
    method: Unary<Req, Res>,
    request: Req,
    context: RunContext,
    signal: AbortSignal,
  ): Promise<Res> {
    const label = `retrieval ${name}`;
    return new Promise<Res>((resolve, reject) => {
      if (signal.aborted) {
        reject(new IsaraError("cancelled", `${label} was not called: the work was cancelled`));
        return;
      }
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(contextToGrpcMetadata(logContextOf(context)))) {
        metadata.set(key, value);
      }
      const onAbort = () => call.cancel();
      const call = method.call(
        client,
        request,
        metadata,
        { deadline: Date.now() + options.timeoutMs },
        (err: ServiceError | null, response: Res) => {
          signal.removeEventListener("abort", onAbort);
          if (err !== null) reject(grpcFailure(err, label, signal.aborted));
          else resolve(response);
        },
      );
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  return {
    async embed(context, texts, signal) {
      const response = await unary("Embed", client.embed, { context, texts: [...texts] }, context, signal);
      if (response.vectors.length !== texts.length) {
        throw new IsaraError(
          "internal",
          `retrieval Embed answered ${response.vectors.length} vectors for ${texts.length} texts; check the retrieval service's version`,
        );
      }
      return {
        vectors: response.vectors.map((v) => Float32Array.from(v.values)),
        modelId: response.modelId,
        dimension: response.dimension,
      };
    },
    async upsert(context, samples, vectors, signal) {
      const request = {
        context,
        samples: samples.map(sampleToWire),
        vectors: vectors.map((v) => ({ values: Array.from(v) })),
      };
      const response = await unary("Upsert", client.upsert, request, context, signal);
      return response.upserted;
    },
    async listSamples(context, query, signal) {
      const samples: Sample[] = [];
      let pageToken = "";
      do {
        const request = {
          context,
          setIndex: query.setIndex,
          round: query.round,
          pageSize: 0,
          pageToken,
        };
        const page = await unary("ListSamples", client.listSamples, request, context, signal);
        samples.push(...page.samples.map(sampleFromWire));
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return samples;
    },
    readiness() {
      const state = client.getChannel().getConnectivityState(true);
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) {
        throw new Error(
          `the retrieval service at ${options.address} cannot be reached (${connectivityState[state]})`,
        );
      }
      return `retrieval at ${options.address}: ${connectivityState[state]}`;
    },
    close: () => client.close(),
  };
}
