/**
 * Storing a run's seeds in the retrieval service when the run is created, as the embedded runner
 * upserts them before its first step: set 0 is what every prompt's random demos and every answer's
 * nearest demos are drawn from, so generation (and kNN evaluation) need it stored before their first
 * work arrives. `RetrievalService.Upsert` is idempotent by the seeds' deterministic ids
 * (`sampleId(run, 0, slot)`), so storing them again (a retried CreateRun) changes nothing.
 */
import { credentials, Metadata } from "@grpc/grpc-js";
import { RetrievalServiceClient, type RunContext, sampleToWire } from "@isara/contracts";
import type { Sample } from "@isara/core";
import { grpcFailure } from "@isara/kit/grpc";

/** Where a run's seeds are stored. */
export interface SeedStore {
  /** Stores `seeds` (set 0 of `context.run`); rejects with an IsaraError (`unavailable`: retry later). */
  storeSeeds(context: RunContext, seeds: readonly Sample[]): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** Options of {@link createRetrievalSeedStore}. */
export interface RetrievalSeedStoreOptions {
  /** How long one Upsert may take (default 60 s: the service embeds up to 100 seed prompts). */
  readonly deadlineMs?: number;
}

/** A {@link SeedStore} over the retrieval service at `address` (`host:port`, plaintext inside the cluster). */
export function createRetrievalSeedStore(
  address: string,
  options: RetrievalSeedStoreOptions = {},
): SeedStore {
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  const deadlineMs = options.deadlineMs ?? 60_000;
  return {
    storeSeeds(context, seeds) {
      const metadata = new Metadata();
      if (context.correlationId !== "") metadata.set("x-request-id", context.correlationId);
      metadata.set("x-isara-run", context.run);
      metadata.set("x-isara-domain", context.domain);
      metadata.set("x-isara-round", "0");
      return new Promise((resolve, reject) => {
        client.upsert(
          { context, samples: seeds.map(sampleToWire), vectors: [] },
          metadata,
          { deadline: new Date(Date.now() + deadlineMs) },
          (err) =>
            err ? reject(grpcFailure(err, "RetrievalService.Upsert of the run's seeds", false)) : resolve(),
        );
      });
    },
    close() {
      client.close();
    },
  };
}
