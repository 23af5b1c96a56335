/**
 * The controller's configuration: one zod schema over the environment, parsed once by `main.ts` with
 * the kit's `loadConfig` (every bad variable is listed at start, then the process exits). Everything
 * below is plain data; nothing reads `process.env` elsewhere.
 */
import { hostname } from "node:os";
import {
  type Env,
  envBoolean,
  envDuration,
  envInt,
  envList,
  envLogLevel,
  envPort,
  type LogLevel,
  loadConfig,
} from "@isara/kit";
import { z } from "zod";
import {
  DEFAULT_MAX_QUEUED_RUNS,
  DEFAULT_MAX_RUNNING_RUNS,
  type Limits,
  parseTenantLimits,
  type TenantLimits,
} from "./admission.js";
import type { AdapterReference } from "./model-ref.js";
import { DEFAULT_STALL_TIMEOUT_MS, DEFAULT_WORK_WINDOW } from "./work-window.js";

/** `host:port`, as Kafka brokers and gRPC targets are given. */
const BROKER = /^[^\s:/]+:\d{1,5}$/;

const envSchema = z.object({
  // Kafka bootstrap brokers as host:port, comma-separated, e.g. "kafka-0.kafka:9092,kafka-1.kafka:9092".
  KAFKA_BROKERS: envList().refine((list) => list.length > 0 && list.every((b) => BROKER.test(b)), {
    message: 'is not a list of host:port (expected e.g. "kafka:9092,kafka-1:9092")',
  }),
  // Client id the brokers log and quota this service under.
  KAFKA_CLIENT_ID: z.string().default("isara-controller"),
  // Root folder of the shared artifact volume: run folders (<run>/state.json, domain snapshot, rounds) live here.
  ARTIFACT_ROOT: z.string().min(1),
  // Folder of registered domains (<name>/domain.json, seeds.jsonl, eval.jsonl); unset = only uploaded domains.
  DOMAINS_DIR: z.string().min(1).optional(),
  // Retrieval service (RetrievalService gRPC) as host:port; new runs' seeds are stored there before their first work.
  RETRIEVAL_ADDRESS: z.string().regex(BROKER, 'is not host:port (expected e.g. "retrieval:50051")'),
  // Base model of runs whose spec names none, by the name the serving backend and the trainer know.
  BASE_MODEL: z.string().min(1),
  // Whether the filtering service has a judge (its JUDGE_URL and JUDGE_MODEL are set), so runs whose filter chain
  // names judge-score can be filtered. The controller never calls the judge; it only refuses such runs at CreateRun
  // while this is false, instead of letting them fail at round 1's filter pass. The chart sets it and the filtering
  // service's judge from the same values (judge.url, judge.model); elsewhere set it with them.
  FILTER_JUDGE: envBoolean().default(false),
  // What work's ModelRef.adapter names: "gguf" (the trainer's GGUF LoRA, for llama.cpp workers) or "adapter" (the training summary's adapter, for servers that serve it by that name).
  ADAPTER_REFERENCE: z.enum(["gguf", "adapter"]).default("gguf"),
  // Port of the gRPC server (ControllerService, grpc.health.v1).
  GRPC_PORT: envPort().default(50051),
  // Port of the probe server: /healthz, /readyz, /metrics.
  HTTP_PORT: envPort().default(8080),
  // Minimum log level (fatal, error, warn, info, debug, trace, silent).
  LOG_LEVEL: envLogLevel().default("info"),
  // Time each component (gRPC server, consumer, producer, HTTP) gets to close on shutdown.
  SHUTDOWN_TIMEOUT: envDuration().default(15_000),
  // On shutdown, how long results being applied may finish before they are aborted (and redelivered).
  DRAIN_TIMEOUT: envDuration().default(10_000),
  // Partitions of the result topics handled at once; one slow run then holds up only its own partition.
  CONSUMER_CONCURRENCY: envInt({ min: 1, max: 256 }).default(12),
  // Slots of one run in flight per per-slot stage (prompts, answers): the next goes out as a result comes back, so a
  // small run never waits behind a big run's whole backlog. Raise it when generation replicas idle with one run.
  WORK_WINDOW: envInt({ min: 1, max: 100_000 }).default(DEFAULT_WORK_WINDOW),
  // A released slot without a result this long is published again (lost work, stuck worker); 0 = never.
  STALL_TIMEOUT: envDuration().default(DEFAULT_STALL_TIMEOUT_MS),
  // Runs of one tenant running at once; a tenant's further runs wait in its queue, first come first served.
  TENANT_MAX_RUNNING: envInt({ min: 1, max: 100_000 }).default(DEFAULT_MAX_RUNNING_RUNS),
  // Runs of one tenant waiting at most; CreateRun over it is refused with RESOURCE_EXHAUSTED (HTTP 429). 0 = no queue.
  TENANT_MAX_QUEUED: envInt({ min: 0, max: 1_000_000 }).default(DEFAULT_MAX_QUEUED_RUNS),
  // Tenants with their own limits, "<tenant>=<running>/<queued>" comma-separated, e.g. "acme=8/200,beta=1/10".
  TENANT_LIMITS: z
    .string()
    .transform((text, ctx) => {
      const { tenants, problems } = parseTenantLimits(text);
      for (const problem of problems) ctx.addIssue({ code: "custom", message: problem });
      return problems.length > 0 ? z.NEVER : tenants;
    })
    .default(new Map<string, Limits>()),
  // Tries of a result that fails with a transient error (disk or broker unavailable) before it is dead-lettered.
  RETRY_ATTEMPTS: envInt({ min: 1, max: 1000 }).default(8),
  // Kubernetes mode: also run the AlignmentRun resources of KUBE_NAMESPACE (watch, status, Events, finalizer).
  KUBE_WATCH: envBoolean().default(false),
  // Namespace whose AlignmentRuns this controller runs; unset = the pod's own (or the kubeconfig context's).
  KUBE_NAMESPACE: z.string().optional(),
  // Kubernetes mode: hold a coordination.k8s.io Lease before starting, so only one replica runs the runs.
  LEADER_ELECTION: envBoolean().default(true),
  // Name of that Lease; every replica of one controller deployment uses the same.
  LEADER_ELECTION_LEASE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "is not a Kubernetes object name")
    .default("isara-controller"),
  // This replica's identity in the Lease (the chart passes the pod name); default the host name.
  POD_NAME: z.string().min(1).optional(),
  // How often every AlignmentRun is reconciled again even without a change.
  KUBE_RESYNC: envDuration().default(60_000),
  // Wait after the first transient failure; doubles after each further one.
  RETRY_INITIAL_DELAY: envDuration().default(1000),
  // Longest wait between two tries.
  RETRY_MAX_DELAY: envDuration().default(60_000),
});

/** The service's typed configuration. */
export interface ControllerConfig {
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly artifactRoot: string;
  readonly domainsDir: string | undefined;
  readonly retrievalAddress: string;
  readonly baseModel: string;
  readonly adapterReference: AdapterReference;
  /** Whether the filtering service has a judge (FILTER_JUDGE): a chain naming judge-score is refused without. */
  readonly filterJudge: boolean;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly consumerConcurrency: number;
  readonly workWindow: number;
  readonly stallTimeoutMs: number;
  /** Per-tenant admission: TENANT_MAX_RUNNING, TENANT_MAX_QUEUED and TENANT_LIMITS. */
  readonly tenantLimits: TenantLimits;
  /** Kubernetes mode; `undefined` when KUBE_WATCH is off. */
  readonly kube:
    | {
        readonly namespace: string | undefined;
        /** The Lease to hold first; `undefined` with LEADER_ELECTION off. */
        readonly lease: string | undefined;
        readonly identity: string;
        readonly resyncMs: number;
      }
    | undefined;
  readonly retry: {
    readonly attempts: number;
    readonly initialDelayMs: number;
    readonly maxDelayMs: number;
  };
}

/**
 * Reads the configuration from `env` (default `process.env`).
 * @throws IsaraError `invalid_argument` listing every missing or malformed variable, one per line.
 */
export function loadControllerConfig(env: Env = process.env): ControllerConfig {
  const e = loadConfig(envSchema, env);
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID },
    artifactRoot: e.ARTIFACT_ROOT,
    domainsDir: e.DOMAINS_DIR,
    retrievalAddress: e.RETRIEVAL_ADDRESS,
    baseModel: e.BASE_MODEL,
    adapterReference: e.ADAPTER_REFERENCE,
    filterJudge: e.FILTER_JUDGE,
    grpcPort: e.GRPC_PORT,
    httpPort: e.HTTP_PORT,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    drainTimeoutMs: e.DRAIN_TIMEOUT,
    consumerConcurrency: e.CONSUMER_CONCURRENCY,
    workWindow: e.WORK_WINDOW,
    stallTimeoutMs: e.STALL_TIMEOUT,
    tenantLimits: {
      maxRunningRuns: e.TENANT_MAX_RUNNING,
      maxQueuedRuns: e.TENANT_MAX_QUEUED,
      tenants: e.TENANT_LIMITS,
    },
    kube: e.KUBE_WATCH
      ? {
          namespace: e.KUBE_NAMESPACE,
          lease: e.LEADER_ELECTION ? e.LEADER_ELECTION_LEASE : undefined,
          identity: e.POD_NAME ?? hostname(),
          resyncMs: e.KUBE_RESYNC,
        }
      : undefined,
    retry: {
      attempts: e.RETRY_ATTEMPTS,
      initialDelayMs: e.RETRY_INITIAL_DELAY,
      maxDelayMs: e.RETRY_MAX_DELAY,
    },
  };
}
