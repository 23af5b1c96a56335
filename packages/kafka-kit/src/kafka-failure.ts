import { IsaraError } from "@isara/core";
import { asIsaraError } from "@isara/kit";
import { brokerOutageSign, errorChain, isKafkaJsError } from "./broker-outage.js";

/**
 * kafkajs errors that mean "retrying may work" whatever they wrap: kafkajs only retries failures it
 * calls retriable, so retries used up means such a failure kept coming back.
 */
const RETRYABLE_NAMES: ReadonlySet<string> = new Set(["KafkaJSNumberOfRetriesExceeded"]);

function describe(node: object): string {
  const { name, message } = node as { name?: unknown; message?: unknown };
  return `${String(name)}: ${String(message)}`;
}

/**
 * Any error thrown by kafkajs (or anything else) as an {@link IsaraError}, so a stage decides between
 * retry and dead letter with core's one rule (`retryable`). The whole cause chain is read, not just
 * the outer class (kafkajs wraps a broker that stayed away past its retry budget in a
 * `KafkaJSNonRetriableError`):
 * - the broker is away or moving ({@link isBrokerOutage}): `unavailable`;
 * - another failure kafkajs calls retriable (its innermost kafkajs error says so, or its retries ran
 *   out): `unavailable`;
 * - another kafkajs error (the broker refused the request: a message too large, an invalid topic):
 *   `internal`;
 * - anything else goes through the kit's `asIsaraError`.
 * The original stays as `cause`, for the log and for {@link isBrokerOutage}; an `IsaraError` is
 * returned as it is.
 */
export function kafkaFailure(err: unknown): IsaraError {
  if (err instanceof IsaraError) return err;
  const chain = errorChain(err);
  const kafkaErrors = chain.filter(isKafkaJsError);
  if (!(err instanceof Error) || kafkaErrors.length === 0) return asIsaraError(err);
  const outer = describe(err);
  const sign = brokerOutageSign(err);
  if (sign !== undefined) {
    const same = sign === err || (sign as { message?: unknown }).message === err.message;
    return new IsaraError(
      "unavailable",
      `Kafka is unavailable: the broker is away or moving (${outer}${same ? "" : ` <- ${describe(sign)}`}); retry later`,
      undefined,
      { cause: err },
    );
  }
  const innermost = kafkaErrors.at(-1) as { retriable?: unknown } | undefined;
  const retriable =
    innermost?.retriable === true || kafkaErrors.some((e) => RETRYABLE_NAMES.has(String((e as Error).name)));
  if (retriable) {
    return new IsaraError("unavailable", `Kafka is unavailable (${outer}); retry later`, undefined, {
      cause: err,
    });
  }
  return new IsaraError("internal", `Kafka refused the request (${outer})`, undefined, { cause: err });
}
