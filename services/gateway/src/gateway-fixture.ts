/**
 * Test fixture: the gateway built in process over a temporary artifact folder and the controller test
 * double on a real loopback gRPC server, with two tenants (`acme`, `globex`) and their tokens, plus a
 * small valid domain. Tests talk to it with `server.inject`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { ControllerServiceClient } from "@isara/contracts";
import { createRootLogger } from "@isara/kit";
import { FsArtifactStore } from "@isara/store-fs";
import { createGatewayApp, type GatewayApp } from "./app.js";
import { artifactVolumeCheck } from "./artifact-volume.js";
import { ControllerTestDouble } from "./controller-test-double.js";
import { hashToken, parseTokenTable } from "./token-table.js";

/** Tokens of the fixture's tenants. */
export const TOKENS = { acme: "acme-secret-token-1", globex: "globex-secret-token-2" } as const;

/** `Authorization` headers of the fixture's tenants. */
export const AUTH = {
  acme: { authorization: `Bearer ${TOKENS.acme}` },
  globex: { authorization: `Bearer ${TOKENS.globex}` },
} as const;

/** A running fixture. */
export interface GatewayFixture {
  readonly app: GatewayApp;
  readonly controller: ControllerTestDouble;
  readonly artifacts: FsArtifactStore;
  /** Every log line the gateway wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts the fixture; `bodyLimit` lowers the body limit for the 413 test. */
export async function startGateway(
  options: { bodyLimit?: number; sseHeartbeatMs?: number } = {},
): Promise<GatewayFixture> {
  const root = await mkdtemp(join(tmpdir(), "isara-gateway-"));
  const artifacts = new FsArtifactStore({ root });
  const controller = new ControllerTestDouble(artifacts);
  const address = await controller.start();
  const client = new ControllerServiceClient(address, credentials.createInsecure());
  const tokens = parseTokenTable(
    JSON.stringify({ [hashToken(TOKENS.acme)]: "acme", [hashToken(TOKENS.globex)]: "globex" }),
    "test tokens",
  );
  const logs: Record<string, unknown>[] = [];
  const destination = {
    write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
  };
  const app = createGatewayApp({
    logger: createRootLogger({ level: "info", name: "gateway", destination }),
    controller: client,
    artifacts,
    artifactsReady: artifactVolumeCheck(artifacts.root),
    tokens,
    controllerTimeoutMs: 5000,
    ...options,
  });
  return {
    app,
    controller,
    artifacts,
    logs,
    async close() {
      await app.server.close();
      client.close();
      controller.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Eight distinct seed pairs: the fewest a domain may have. */
export function seedPairs(count = 8): { prompt: string; response: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    prompt: `What is a good habit number ${i + 1} for a healthy life?`,
    response: `Habit ${i + 1}: sleep well, move every day and eat plenty of vegetables.`,
  }));
}

/** A valid domain body for `POST /v1/domains`. */
export function domainBody(name = "habits", extra: Record<string, unknown> = {}) {
  return {
    config: { name, description: "Healthy habits", isara: { rounds: 2 }, ...extra },
    seeds: seedPairs(),
    eval: [
      { id: "e1", prompt: "How much sleep do adults need?", correct: ["Seven to nine hours."] },
      { id: "e2", prompt: "Is walking good exercise?", correct: ["Yes."], incorrect: ["No."] },
    ],
  };
}
