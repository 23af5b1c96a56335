import { IsaraError } from "@isara/core";
import { asIsaraError } from "@isara/kit";

/** kafkajs errors that mean "the cluster is not reachable or not ready right now". */
const UNAVAILABLE = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSNumberOfRetriesExceeded",
  "KafkaJSBrokerNotFound",
  "KafkaJSNoBrokerAvailableError",
  "KafkaJSLockTimeout",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSTopicMetadataNotLoaded",
]);

/**
 * Any error thrown by kafkajs (or anything else) as an {@link IsaraError}, so a stage decides between
 * retry and dead letter with core's one rule (`retryable`). A kafkajs error that says it is retriable,
 * or means the broker is away (connection refused, timeouts, retries used up), becomes `unavailable`;
 * another kafkajs error is `internal`; everything else goes through the kit's `asIsaraError`. The
 * original stays as `cause` for the log.
 */
export function kafkaFailure(err: unknown): IsaraError {
  if (err instanceof IsaraError) return err;
  if (err instanceof Error && err.name.startsWith("KafkaJS")) {
    const retriable = (err as { retriable?: unknown }).retriable === true;
    if (retriable || UNAVAILABLE.has(err.name)) {
      return new IsaraError(
        "unavailable",
        `Kafka is unavailable (${err.name}: ${err.message}); retry later`,
        undefined,
        { cause: err },
      );
    }
    return new IsaraError("internal", `Kafka refused the request (${err.name}: ${err.message})`, undefined, {
      cause: err,
    });
  }
  return asIsaraError(err);
}
