/**
 * kafkajs errors whose name alone says the broker cannot be reached or is not ready: the connection
 * failed, closed or timed out, no broker or coordinator answers, or the metadata (which broker leads
 * what) could not be loaded.
 */
const OUTAGE_NAMES: ReadonlySet<string> = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSNoBrokerAvailableError",
  "KafkaJSGroupCoordinatorNotFound",
  "KafkaJSLockTimeout",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSTopicMetadataNotLoaded",
]);

/**
 * Kafka protocol error types (kafkajs's `type`, with the Java client's newer names too) that say a
 * broker is away or a role is moving: a leader or coordinator being elected or loaded, too few
 * replicas in sync, a request the broker could not answer in time, a group rebalancing.
 */
const OUTAGE_TYPES: ReadonlySet<string> = new Set([
  "BROKER_NOT_AVAILABLE",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
  "NOT_LEADER_OR_FOLLOWER",
  "REPLICA_NOT_AVAILABLE",
  "PREFERRED_LEADER_NOT_AVAILABLE",
  "ELIGIBLE_LEADERS_NOT_AVAILABLE",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "OFFSET_NOT_AVAILABLE",
  "REQUEST_TIMED_OUT",
  "NETWORK_EXCEPTION",
  "NOT_CONTROLLER",
  "NOT_ENOUGH_REPLICAS",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  "GROUP_LOAD_IN_PROGRESS",
  "COORDINATOR_LOAD_IN_PROGRESS",
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
  "NOT_COORDINATOR",
  "REBALANCE_IN_PROGRESS",
]);

/** Node system error codes of a connection that could not be made or was lost. */
const CONNECTION_ERRNOS: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** Links deeper than this are not followed (a chain that long is a bug, not information). */
const MAX_NODES = 32;

/**
 * `err` and every error it wraps, outermost first: kafkajs's `cause` (the retrier's
 * `KafkaJSNonRetriableError` and `KafkaJSNumberOfRetriesExceeded` put the failure they gave up on
 * there), the `originalError` of older kafkajs versions, and the members of an aggregate error.
 * Each object appears once, so a cycle (`a.cause = b; b.cause = a`) ends the walk.
 */
export function errorChain(err: unknown): readonly object[] {
  const seen = new Set<object>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && seen.size < MAX_NODES) {
    const next = queue.shift();
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    const links = next as { cause?: unknown; originalError?: unknown; errors?: unknown };
    queue.push(links.cause, links.originalError);
    if (Array.isArray(links.errors)) queue.push(...links.errors);
  }
  return [...seen];
}

function nameOf(node: object): string | undefined {
  const name = (node as { name?: unknown }).name;
  return typeof name === "string" ? name : undefined;
}

function stringField(node: object, field: "type" | "code"): string | undefined {
  const value = (node as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

/** `true` when `node` is an error kafkajs made (its class names all start with `KafkaJS`). */
export function isKafkaJsError(node: unknown): boolean {
  return typeof node === "object" && node !== null && (nameOf(node)?.startsWith("KafkaJS") ?? false);
}

/** The first link of `err`'s chain that says the broker is away or moving, if one does. */
export function brokerOutageSign(err: unknown): object | undefined {
  const chain = errorChain(err);
  if (!chain.some(isKafkaJsError)) return undefined;
  return chain.find((node) => {
    const name = nameOf(node);
    if (name !== undefined && OUTAGE_NAMES.has(name)) return true;
    const type = stringField(node, "type");
    if (type !== undefined && OUTAGE_TYPES.has(type)) return true;
    const code = stringField(node, "code");
    return code !== undefined && CONNECTION_ERRNOS.has(code);
  });
}

/**
 * `true` when `err` failed because the Kafka broker is away or moving (restarting, unreachable, a
 * leader or group coordinator being elected), judged by what it wraps, not by its outer class: kafkajs
 * reports a broker that stayed away past its retry budget as a `KafkaJSNonRetriableError` whose
 * `cause` is the connection error. Such a failure is not the message's fault and ends when the broker
 * is back, so a stage retries it for as long as that takes instead of dead-lettering the message.
 *
 * It holds only where a kafkajs error is in the chain (an `IsaraError` from `kafkaFailure` keeps the
 * kafkajs error as its cause): a bare Node `ECONNREFUSED` may come from any dependency (an LLM server,
 * a store), and those stay bounded by the retry policy.
 */
export function isBrokerOutage(err: unknown): boolean {
  return brokerOutageSign(err) !== undefined;
}
