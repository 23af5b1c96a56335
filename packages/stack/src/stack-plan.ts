/**
 * Which processes make up the distributed mode on one machine, in which order they start, and the
 * environment each one gets (pure: no I/O). The order follows the dependencies: retrieval first
 * (the controller stores every new run's seeds there), then the controller, the four Kafka stages,
 * and the gateway last (its readiness checks the controller). Everything listens on loopback only.
 */
import { join } from "node:path";

/** A process of the stack, named like its folder under `services/`. */
export type ServiceName =
  | "retrieval"
  | "controller"
  | "generation"
  | "filtering"
  | "training-dispatch"
  | "evaluation"
  | "gateway";

/** Start order; shutdown runs it backwards. */
export const START_ORDER: readonly ServiceName[] = [
  "retrieval",
  "controller",
  "generation",
  "filtering",
  "training-dispatch",
  "evaluation",
  "gateway",
];

/** The services that speak gRPC besides their HTTP probe port. */
const GRPC_SERVICES: ReadonlySet<ServiceName> = new Set(["retrieval", "controller"]);

/** Ports of one service: every service has an HTTP port (probes, or the API for the gateway). */
export interface ServicePorts {
  readonly http: number;
  readonly grpc?: number;
}

/** What the whole stack is built from. */
export interface StackSettings {
  /** Repository root; services start from `services/<name>/dist/main.js`. */
  readonly root: string;
  /** The stack's folder: artifacts, vector store, logs. */
  readonly dir: string;
  /** Kafka bootstrap, `127.0.0.1:PORT`. */
  readonly kafkaBootstrap: string;
  /** GGUF base model that generation and evaluation serve, and that runs train on. */
  readonly modelPath: string;
  /** Python interpreter of the trainer's environment. */
  readonly trainerPython: string;
  /** REST URL of the Qdrant server that holds the samples; unset = LanceDB in `<dir>/lancedb`. */
  readonly qdrantUrl?: string;
  /** Packaged sentence encoder folder; unset = the retrieval service's default (the ISARA cache). */
  readonly embedderDir?: string;
  /** `{"<sha256 of token>": "<tenant>"}` for the gateway. */
  readonly gatewayTokens: Readonly<Record<string, string>>;
  /** Completions at once in each LLM process (generation, evaluation). */
  readonly llmParallel: number;
  /** Extra variables per service, applied last (e.g. shorter retry delays in tests). */
  readonly extraEnv?: Partial<Readonly<Record<ServiceName, Readonly<Record<string, string>>>>>;
}

/** One process to start. */
export interface ServiceSpec {
  readonly name: ServiceName;
  /** The script node runs. */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: ServicePorts;
}

/** The folder every service shares as its artifact volume. */
export function artifactRoot(dir: string): string {
  return join(dir, "artifacts");
}

/** `true` for the services that need a gRPC port. */
export function needsGrpcPort(name: ServiceName): boolean {
  return GRPC_SERVICES.has(name);
}

/**
 * The start list: one spec per service in {@link START_ORDER}, wired to each other through the given
 * ports. Throws when a gRPC service has no gRPC port (a planning bug, not a user error).
 */
export function planStack(
  settings: StackSettings,
  ports: Readonly<Record<ServiceName, ServicePorts>>,
): ServiceSpec[] {
  const grpc = (name: ServiceName): number => {
    const port = ports[name].grpc;
    if (port === undefined) throw new Error(`the stack plan has no gRPC port for ${name}`);
    return port;
  };
  const artifacts = artifactRoot(settings.dir);
  const kafka = { KAFKA_BROKERS: settings.kafkaBootstrap, ARTIFACT_ROOT: artifacts };
  const retrievalAddress = `127.0.0.1:${grpc("retrieval")}`;
  const llm = {
    LLM_BACKEND: "llama",
    MODEL_PATH: settings.modelPath,
    LLM_PARALLEL: String(settings.llmParallel),
  };
  const own: Record<ServiceName, Record<string, string>> = {
    retrieval: {
      GRPC_PORT: String(grpc("retrieval")),
      ...(settings.qdrantUrl === undefined
        ? { VECTOR_BACKEND: "lancedb", LANCEDB_DIR: join(settings.dir, "lancedb") }
        : { VECTOR_BACKEND: "qdrant", QDRANT_URL: settings.qdrantUrl }),
      ...(settings.embedderDir === undefined ? {} : { EMBEDDER_DIR: settings.embedderDir }),
    },
    controller: {
      ...kafka,
      RETRIEVAL_ADDRESS: retrievalAddress,
      BASE_MODEL: settings.modelPath,
      GRPC_PORT: String(grpc("controller")),
    },
    generation: { ...kafka, ...llm, RETRIEVAL_ADDRESS: retrievalAddress },
    filtering: { ...kafka, RETRIEVAL_ADDRESS: retrievalAddress },
    "training-dispatch": {
      ...kafka,
      TRAINER_PYTHON: settings.trainerPython,
      BASE_MODEL_PATH: settings.modelPath,
    },
    evaluation: { ...kafka, ...llm },
    gateway: {
      CONTROLLER_ADDRESS: `127.0.0.1:${grpc("controller")}`,
      ARTIFACT_ROOT: artifacts,
      GATEWAY_TOKENS: JSON.stringify(settings.gatewayTokens),
      HTTP_HOST: "127.0.0.1",
    },
  };
  return START_ORDER.map((name) => ({
    name,
    entry: join(settings.root, "services", name, "dist", "main.js"),
    ports: ports[name],
    env: { ...own[name], HTTP_PORT: String(ports[name].http), ...settings.extraEnv?.[name] },
  }));
}

/** How to start a stack. */
export interface StackOptions {
  /** Repository root (built services under `services/<name>/dist`). */
  readonly root: string;
  /** Stack folder: artifacts, LanceDB, logs, stack.json, and the broker's data unless `kafka` is given. */
  readonly dir: string;
  readonly modelPath: string;
  readonly trainerPython: string;
  readonly embedderDir?: string;
  /** Completions at once per LLM process. Default 2. */
  readonly llmParallel?: number;
  /** Use this broker instead of starting one (tests that restart the broker themselves). */
  readonly kafka?: { readonly bootstrap: string };
  /** Tenant of the gateway token the stack makes. Default `local`. */
  readonly tenant?: string;
  readonly extraEnv?: StackSettings["extraEnv"];
  /**
   * A Qdrant server binary: the stack starts it in `<dir>/qdrant` (stopped with the stack) and the
   * retrieval service keeps the samples there. Unset: they go to LanceDB in `<dir>/lancedb`.
   */
  readonly qdrantBin?: string;
  /** Longest wait for one service to become ready. Default 180 s. */
  readonly readyTimeoutMs?: number;
  /** Progress lines ("started generation (pid 123)"). */
  readonly log?: (line: string) => void;
  /**
   * Kill every service when this process exits (tests: a failed or interrupted test must not leave
   * services behind). Off for `make up`, whose processes outlive the command by design.
   */
  readonly killOnExit?: boolean;
}
