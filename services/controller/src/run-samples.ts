/**
 * Deleting a run's samples from the retrieval service when the run itself is deleted (an
 * AlignmentRun removed with kubectl): the vector database is shared by every run and outlives them,
 * so without this a deleted run's prompts and answers would stay there for good. The call is
 * idempotent (a run with nothing stored answers 0), so the finalizer may retry it until it succeeds.
 */
import { credentials, Metadata } from "@grpc/grpc-js";
import { RetrievalServiceClient, type RunContext } from "@isara/contracts";
import { grpcFailure } from "@isara/kit/grpc";

/** Where a deleted run's samples are removed. */
export interface RunSampleCleanup {
  /** Deletes every sample of `context.run`; resolves with how many; rejects with an IsaraError (`unavailable`: retry). */
  deleteRunSamples(context: RunContext): Promise<number>;
  /** Closes the connection. */
  close(): void;
}

/** Options of {@link createRetrievalSampleCleanup}. */
export interface RetrievalSampleCleanupOptions {
  /** How long one DeleteRunSamples may take (default 60 s: a large run in a busy vector database). */
  readonly deadlineMs?: number;
}

/** A {@link RunSampleCleanup} over the retrieval service at `address` (`host:port`, plaintext inside the cluster). */
export function createRetrievalSampleCleanup(
  address: string,
  options: RetrievalSampleCleanupOptions = {},
): RunSampleCleanup {
  const client = new RetrievalServiceClient(address, credentials.createInsecure());
  const deadlineMs = options.deadlineMs ?? 60_000;
  return {
    deleteRunSamples(context) {
      const metadata = new Metadata();
      if (context.correlationId !== "") metadata.set("x-request-id", context.correlationId);
      metadata.set("x-isara-run", context.run);
      if (context.domain !== "") metadata.set("x-isara-domain", context.domain);
      return new Promise((resolve, reject) => {
        client.deleteRunSamples(
          { context },
          metadata,
          { deadline: new Date(Date.now() + deadlineMs) },
          (err, res) =>
            err
              ? reject(grpcFailure(err, "RetrievalService.DeleteRunSamples of a deleted run", false))
              : resolve(res.deleted),
        );
      });
    },
    close() {
      client.close();
    },
  };
}
