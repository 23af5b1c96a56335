import { createServer } from "node:net";

/**
 * A TCP port on 127.0.0.1 that is free right now: the kernel picks it (listen on port 0), then the
 * socket is closed. Another process could take it before the service binds it; on one developer
 * machine that race is rare, and the service then fails at start with "address in use", loudly.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("the kernel gave no port"))));
    });
  });
}
