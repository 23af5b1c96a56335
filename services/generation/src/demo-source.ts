/**
 * Where the generation service gets a slot's in-context demos: the retrieval service's
 * `SelectDemos` over gRPC, which applies core's selectors to the run's stored sets (random with the
 * slot's seed for a new prompt, nearest neighbours for its answer). The answer comes back as core's
 * `DemoSelection`, so the pipeline's prompt builders take it as they take the embedded mode's picks.
 * The call carries the work's log context as gRPC metadata, has a deadline, and is cancelled with
 * the work (shutdown).
 */
import {
  ChannelCredentials,
  type ClientOptions,
  connectivityState,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import {
  DropFrom,
  demoRefFromWire,
  RetrievalServiceClient,
  type RunContext,
  type SelectDemosRequest,
  type SelectDemosResponse,
  sampleFromWire,
} from "@isara/contracts";
import { type DemoPick, type DemoSelection, IsaraError } from "@isara/core";
import { logContextOf } from "@isara/kafka-kit";
import { contextToGrpcMetadata } from "@isara/kit";
import { grpcFailure } from "@isara/kit/grpc";

/** How to choose within each set: at random with a seed, or nearest to a prompt. */
export type DemoStrategy =
  | { readonly kind: "random"; readonly seed: number }
  | { readonly kind: "nearest"; readonly prompt: string };

/** One slot's demo request. */
export interface DemoRequest {
  /** Run (whose sets are searched), domain, round and correlation id of the work. */
  readonly context: RunContext;
  /** `quotas[i]` = demos from set i (0 = seeds); one entry per set of the round. */
  readonly quotas: readonly number[];
  readonly strategy: DemoStrategy;
}

/** Chooses demos; `close` releases the connection. */
export interface DemoSource {
  selectDemos(request: DemoRequest, signal: AbortSignal): Promise<DemoSelection>;
  /** Readiness: throws while the retrieval service cannot be reached. */
  readiness(): string;
  close(): void;
}

/** Settings of {@link createRetrievalDemoSource}. */
export interface RetrievalDemoSourceOptions {
  /** `host:port` of the retrieval service. */
  readonly address: string;
  /** Deadline of one call. */
  readonly timeoutMs: number;
  /** Channel credentials (default: plaintext, as inside a cluster network). */
  readonly credentials?: ChannelCredentials;
  /** grpc-js channel options. */
  readonly channelOptions?: Partial<ClientOptions>;
}

const METHOD = "retrieval SelectDemos";

/** The request on the wire. */
function toWire(request: DemoRequest): SelectDemosRequest {
  const { strategy } = request;
  return {
    context: request.context,
    quotas: [...request.quotas],
    strategy:
      strategy.kind === "random"
        ? { $case: "random", value: { seed: strategy.seed } }
        : { $case: "nearest", value: { prompt: strategy.prompt, vector: undefined } },
  };
}

/**
 * The response as core's selection. `DROP_FROM_UNSPECIFIED` reads as the strategy's own order
 * (random picks carry no priority: drop from the end; nearest picks are least similar first: drop
 * from the start), which is what core's selectors return.
 * @throws IsaraError `internal` for a pick without its sample or reference: a retrieval bug that no
 *   retry fixes, and the lineage of the slot would be wrong.
 */
export function selectionFromWire(response: SelectDemosResponse, strategy: DemoStrategy): DemoSelection {
  const picks = response.picks.map((pick, i): DemoPick => {
    if (pick.sample === undefined || pick.ref === undefined || pick.ref.id !== pick.sample.id) {
      throw new IsaraError(
        "internal",
        `${METHOD} answered pick ${i} without its sample or with a reference to another sample; ` +
          "the retrieval service is broken (check its version)",
      );
    }
    return { sample: sampleFromWire(pick.sample), ref: demoRefFromWire(pick.ref) };
  });
  const dropFrom =
    response.dropFrom === DropFrom.START
      ? "start"
      : response.dropFrom === DropFrom.END
        ? "end"
        : strategy.kind === "random"
          ? "end"
          : "start";
  return { picks, dropFrom };
}

/** A {@link DemoSource} over the retrieval service's gRPC API. */
export function createRetrievalDemoSource(options: RetrievalDemoSourceOptions): DemoSource {
  const client = new RetrievalServiceClient(
    options.address,
    options.credentials ?? ChannelCredentials.createInsecure(),
    options.channelOptions,
  );
  return {
    selectDemos(request, signal) {
      return new Promise<DemoSelection>((resolve, reject) => {
        if (signal.aborted) {
          reject(new IsaraError("cancelled", `${METHOD} was not called: the work was cancelled`));
          return;
        }
        const metadata = new Metadata();
        for (const [key, value] of Object.entries(contextToGrpcMetadata(logContextOf(request.context)))) {
          metadata.set(key, value);
        }
        const onAbort = () => call.cancel();
        const call = client.selectDemos(
          toWire(request),
          metadata,
          { deadline: Date.now() + options.timeoutMs },
          (err: ServiceError | null, response: SelectDemosResponse) => {
            signal.removeEventListener("abort", onAbort);
            if (err !== null) {
              reject(grpcFailure(err, METHOD, signal.aborted));
              return;
            }
            try {
              resolve(selectionFromWire(response, request.strategy));
            } catch (failure) {
              reject(failure);
            }
          },
        );
        signal.addEventListener("abort", onAbort, { once: true });
      });
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
