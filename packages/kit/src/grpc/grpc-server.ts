/**
 * Binding and stopping a grpc-js server, as promises. A service's `main.ts` binds the app's server on its port
 * and tests on port 0; both stop it through {@link stopGrpcServer}, which is the shutdown the
 * conventions ask for: stop intake, let calls in flight finish, force the rest after a deadline.
 */
import { type Server, ServerCredentials } from "@grpc/grpc-js";
import { IsaraError } from "@isara/core";

/**
 * Binds `server` to `address` (e.g. `0.0.0.0:50051`, or `127.0.0.1:0` for any free port) without TLS
 * (inside the cluster a service mesh or the network policy secures traffic). Resolves to the bound port.
 * @throws IsaraError `unavailable` when the address cannot be bound (port taken, no permission).
 */
export function bindGrpcServer(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        reject(
          new IsaraError(
            "unavailable",
            `cannot listen for gRPC on ${address}: ${err.message}; is the port in use?`,
            undefined,
            {
              cause: err,
            },
          ),
        );
      } else resolve(port);
    });
  });
}

/**
 * Stops `server`: `tryShutdown` (no new calls; calls in flight run to completion), and when that has
 * not finished after `timeoutMs`, `forceShutdown` (remaining calls are cancelled, their clients see
 * CANCELLED or UNAVAILABLE and retry elsewhere). Resolves to how it ended; never rejects.
 */
export function stopGrpcServer(server: Server, timeoutMs: number): Promise<"graceful" | "forced"> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (how: "graceful" | "forced") => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(how);
    };
    const timer = setTimeout(() => {
      server.forceShutdown();
      finish("forced");
    }, timeoutMs);
    server.tryShutdown(() => finish("graceful"));
  });
}
