/**
 * The standard gRPC health service (`grpc.health.v1.Health`: Check, Watch, List), as Kubernetes gRPC
 * probes, Envoy and client-side health checking call it. Every gRPC service of the platform adds
 * this one implementation to its server.
 *
 * Decision: the service definition (the health.proto and its serialisers) comes from the
 * `grpc-health-check` package, but Check/Watch/List are implemented here (a few dozen lines) instead
 * of using its `HealthImplementation`, because that one never ends Watch streams: an open Watch (e.g.
 * from a client-side health checker) would hold `server.tryShutdown` until its timeout on every
 * shutdown. Here, draining sends NOT_SERVING to every watcher, and closing ends their streams, so a
 * graceful shutdown waits only for real work.
 */
import type {
  handleServerStreamingCall,
  handleUnaryCall,
  Server,
  ServerWritableStream,
  ServiceDefinition,
} from "@grpc/grpc-js";
import { service as healthDefinition } from "grpc-health-check";

/** A serving status as the health proto names it (proto-loader decodes enums as their names). */
export type ServingStatus = "SERVING" | "NOT_SERVING";

interface CheckRequest {
  service: string;
}
interface CheckResponse {
  status: ServingStatus | "SERVICE_UNKNOWN";
}
interface ListResponse {
  statuses: Record<string, CheckResponse>;
}

/** The health service of one gRPC server, covering the whole server (`""`) and the named services. */
export interface GrpcHealth {
  /** Sets every covered name to `status` and tells watchers of the change. */
  setStatus(status: ServingStatus): void;
  /** The current status of every covered name. */
  readonly status: ServingStatus;
  /** Ends every open Watch stream (after the last status was sent), so `tryShutdown` need not wait for them. */
  closeWatches(): void;
  /** Adds the health service to `server`. */
  addToServer(server: Server): void;
}

/** Code the spec asks Check to answer for a service name the server does not know. */
const NOT_FOUND = 5;

/**
 * Makes the health service for `services` (fully qualified names, e.g. `isara.v1.RetrievalService`)
 * plus the empty name, meaning the whole server. Everything starts NOT_SERVING: the caller sets
 * SERVING once the server is bound and its dependencies are open.
 */
export function createGrpcHealth(services: readonly string[]): GrpcHealth {
  const names = new Set(["", ...services]);
  let current: ServingStatus = "NOT_SERVING";
  const watchers = new Set<{ name: string; call: ServerWritableStream<CheckRequest, CheckResponse> }>();

  const check: handleUnaryCall<CheckRequest, CheckResponse> = (call, callback) => {
    const name = call.request.service;
    if (!names.has(name)) {
      callback({
        code: NOT_FOUND,
        details: `no health status for service "${name}"; ask for "" or one of: ${services.join(", ")}`,
      });
      return;
    }
    callback(null, { status: current });
  };

  const watch: handleServerStreamingCall<CheckRequest, CheckResponse> = (call) => {
    const name = call.request.service;
    const entry = { name, call };
    watchers.add(entry);
    call.on("cancelled", () => watchers.delete(entry));
    call.write({ status: names.has(name) ? current : "SERVICE_UNKNOWN" });
  };

  const list: handleUnaryCall<Record<string, never>, ListResponse> = (_call, callback) => {
    const statuses: Record<string, CheckResponse> = {};
    for (const name of names) statuses[name] = { status: current };
    callback(null, { statuses });
  };

  return {
    setStatus(status) {
      if (status === current) return;
      current = status;
      for (const { name, call } of watchers) if (names.has(name)) call.write({ status });
    },
    get status() {
      return current;
    },
    closeWatches() {
      for (const { call } of watchers) call.end();
      watchers.clear();
    },
    addToServer(server) {
      // The definition comes from proto-loader; it has the shape grpc-js serves, under another type name.
      server.addService(healthDefinition as unknown as ServiceDefinition, { check, watch, list });
    },
  };
}

/** The health service's definition, for clients (tests, tools) that call it. */
export const healthServiceDefinition = healthDefinition as unknown as ServiceDefinition;
