/**
 * Test support: the error objects kafkajs throws, built with kafkajs's own classes and wrapped the
 * way its retrier wraps them, so unit tests classify the real shapes. Not exported.
 */
import kafkajs from "kafkajs";

/** A kafkajs error class with the constructor it really has (its typings leave out `cause`). */
type KafkaErrorClass = new (e: unknown, options?: Record<string, unknown>) => Error;

/**
 * kafkajs's error class `name`. kafkajs is CommonJS and spreads its error classes into its exports,
 * which ESM cannot name.
 */
export function kafkaErrorClass(name: string): KafkaErrorClass {
  const found = (kafkajs as unknown as Record<string, unknown>)[name];
  if (typeof found !== "function") throw new Error(`kafkajs has no error class ${name}`);
  return found as KafkaErrorClass;
}

/** What kafkajs throws when a connection to the broker is refused (it keeps the socket's code). */
export function connectionRefused(address = "127.0.0.1:21690"): Error {
  const ConnectionError = kafkaErrorClass("KafkaJSConnectionError");
  return new ConnectionError(`Connection error: connect ECONNREFUSED ${address}`, {
    broker: address,
    code: "ECONNREFUSED",
  });
}

/** What kafkajs's retrier throws when a retriable failure outlasts its budget. */
export function retriesUsedUp(cause: Error): Error {
  const RetriesExceeded = kafkaErrorClass("KafkaJSNumberOfRetriesExceeded");
  return new RetriesExceeded(cause, { retryCount: 5, retryTime: 3000 });
}

/**
 * What an outer retrier makes of an inner one's {@link retriesUsedUp} (which is not retriable): a
 * `KafkaJSNonRetriableError` with the inner message and the root failure as `cause`. This is what a
 * producer's `send` threw in the issue: "KafkaJSNonRetriableError: Connection error: connect
 * ECONNREFUSED".
 */
export function wrappedAgain(inner: Error): Error {
  const NonRetriable = kafkaErrorClass("KafkaJSNonRetriableError");
  const root = (inner as { cause?: unknown }).cause;
  return new NonRetriable(inner, { cause: root instanceof Error ? root : inner });
}

/** A protocol error as kafkajs's response decoders build it from the broker's error code. */
export function protocolError(type: string, retriable: boolean): Error {
  const ProtocolError = kafkaErrorClass("KafkaJSProtocolError");
  return new ProtocolError({ type, code: 0, retriable, message: `the broker answered ${type}` });
}
