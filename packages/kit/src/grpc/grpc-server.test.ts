import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Server } from "@grpc/grpc-js";
import { IsaraError } from "@isara/core";
import { bindGrpcServer, stopGrpcServer } from "./grpc-server.js";

describe("bindGrpcServer", () => {
  it("binds port 0 to a free port and resolves to it", async () => {
    const server = new Server();
    const port = await bindGrpcServer(server, "127.0.0.1:0");
    assert.ok(port > 0);
    assert.equal(await stopGrpcServer(server, 1000), "graceful");
  });

  it("rejects with unavailable naming the address when the port is taken", async () => {
    const first = new Server();
    const port = await bindGrpcServer(first, "127.0.0.1:0");
    const second = new Server();
    try {
      await assert.rejects(bindGrpcServer(second, `127.0.0.1:${port}`), (err: unknown) => {
        assert.ok(err instanceof IsaraError);
        assert.equal(err.code, "unavailable");
        assert.match(err.message, new RegExp(`cannot listen for gRPC on 127\\.0\\.0\\.1:${port}`));
        return true;
      });
    } finally {
      await stopGrpcServer(first, 1000);
      await stopGrpcServer(second, 1000);
    }
  });
});
