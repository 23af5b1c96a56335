/**
 * The gateway's configuration: one zod schema over the environment, parsed once by `main.ts` with the
 * kit's `loadConfig` (every bad variable is listed at start, then the process exits). Everything
 * below is plain data; nothing reads `process.env` elsewhere. The token table itself is parsed by
 * `main.ts` (it may live in a file, and reading files is a process effect).
 */
import { type Env, envDuration, envInt, envLogLevel, envPort, type LogLevel, loadConfig } from "@isara/kit";
import { z } from "zod";

const HOST_PORT = /^[^\s/]+:\d{1,5}$/;

/** Default largest request body: 8 MiB, room for 100 seed pairs and an eval set at their longest. */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

const envSchema = z
  .object({
    // Address of the controller's gRPC server as host:port, e.g. "isara-controller:50051".
    CONTROLLER_ADDRESS: z.string().regex(HOST_PORT, 'is not host:port (expected e.g. "controller:50051")'),
    // How long one controller call may take before the request fails with 504.
    CONTROLLER_TIMEOUT: envDuration().default(10_000),
    // Root folder of the shared artifact volume: tenants' domains are stored and runs' samples read here.
    ARTIFACT_ROOT: z.string(),
    // Accepted bearer tokens as JSON {"<sha256 hex of token>": "<tenant>"}; set this or GATEWAY_TOKENS_FILE.
    GATEWAY_TOKENS: z.string().optional(),
    // Path of a file holding the same JSON as GATEWAY_TOKENS (e.g. a mounted Kubernetes Secret).
    GATEWAY_TOKENS_FILE: z.string().optional(),
    // Port the REST API (and /healthz, /readyz, /metrics, /openapi.json) listens on.
    HTTP_PORT: envPort().default(8080),
    // Interface to listen on.
    HTTP_HOST: z.string().default("0.0.0.0"),
    // Largest request body in bytes; bigger ones are refused with 413.
    BODY_LIMIT: envInt({ min: 1024, max: 1024 * 1024 * 1024 }).default(DEFAULT_BODY_LIMIT),
    // Interval of keep-alive comments on event streams, so proxies do not close an idle stream.
    SSE_HEARTBEAT: envDuration().default(15_000),
    // Minimum log level (fatal, error, warn, info, debug, trace, silent).
    LOG_LEVEL: envLogLevel().default("info"),
    // Time each component (HTTP server, controller client) gets to close on shutdown.
    SHUTDOWN_TIMEOUT: envDuration().default(10_000),
  })
  // Exactly one token source; checked even when other variables are wrong, so every problem is listed at once.
  .refine((env) => env.GATEWAY_TOKENS !== undefined || env.GATEWAY_TOKENS_FILE !== undefined, {
    path: ["GATEWAY_TOKENS"],
    message:
      "is not set, nor is GATEWAY_TOKENS_FILE (expected one of them: the accepted token hashes per tenant)",
    when: () => true,
  })
  .refine((env) => env.GATEWAY_TOKENS === undefined || env.GATEWAY_TOKENS_FILE === undefined, {
    path: ["GATEWAY_TOKENS"],
    message: "is set together with GATEWAY_TOKENS_FILE (expected exactly one of them)",
    when: () => true,
  });

/** Where the token table comes from: the variable's text, or a file to read at start. */
export type TokenSource =
  | { readonly kind: "inline"; readonly text: string }
  | { readonly kind: "file"; readonly path: string };

/** The gateway's typed configuration. */
export interface GatewayConfig {
  readonly controller: { readonly address: string; readonly timeoutMs: number };
  readonly artifactRoot: string;
  readonly tokens: TokenSource;
  readonly http: { readonly port: number; readonly host: string; readonly bodyLimit: number };
  readonly sseHeartbeatMs: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const e = loadConfig(envSchema, env);
  const tokens: TokenSource =
    e.GATEWAY_TOKENS !== undefined
      ? { kind: "inline", text: e.GATEWAY_TOKENS }
      : { kind: "file", path: e.GATEWAY_TOKENS_FILE ?? "" };
  return {
    controller: { address: e.CONTROLLER_ADDRESS, timeoutMs: e.CONTROLLER_TIMEOUT },
    artifactRoot: e.ARTIFACT_ROOT,
    tokens,
    http: { port: e.HTTP_PORT, host: e.HTTP_HOST, bodyLimit: e.BODY_LIMIT },
    sseHeartbeatMs: e.SSE_HEARTBEAT,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
  };
}
