/**
 * Serves a request listener (a service's probes and metrics, a fake upstream) on a free loopback port,
 * for tests that talk HTTP to it the way a kubelet or Prometheus would.
 */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";

/** A listener served on 127.0.0.1. */
export interface LoopbackHttp {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Stops accepting connections and ends idle ones. */
  close(): void;
}

/** Listens on 127.0.0.1 with a port the kernel picks; resolves once it accepts connections. */
export async function serveLoopback(listener: RequestListener): Promise<LoopbackHttp> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => {
      server.close();
      server.closeIdleConnections();
    },
  };
}
