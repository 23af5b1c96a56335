import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { freePort } from "./free-port.js";

test("freePort answers a port below the kernel's ephemeral range that a server can listen on", async () => {
  const port = await freePort();
  assert.ok(port >= 20_000 && port <= 32_767, `port ${port} is outside 20000-32767`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
