/**
 * The local stack for the distributed end-to-end tests: a real Kafka broker (kept by the test so it
 * can restart it), and every service as a real process on the real small model and trainer, the
 * same `startStack` that `make up` runs. Retry delays are shortened so a fault heals in seconds.
 * The samples go to a real Qdrant server, as in a cluster, wherever its binary is (`QDRANT_BIN` or
 * ../shared/bin/qdrant); without one, to LanceDB, which its own contract suite and the embedded mode
 * cover.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultModelPath } from "@isara/llm-llama";
import {
  chooseVectorStore,
  createGatewayClient,
  type GatewayClient,
  type ServiceName,
  START_ORDER,
  type Stack,
  startStack,
} from "@isara/stack";
import { type KafkaBroker, kafkaSkipReason, startKafka } from "@isara/testkit/kafka";
import { ROOT, realStackSkip, runsDir, TRAINER_PYTHON } from "../embedded/fixtures.js";

/** Why the distributed tests cannot run here, or `false`. */
export function distributedSkip(): string | false {
  const unbuilt = START_ORDER.find((name) => !existsSync(join(ROOT, "services", name, "dist/main.js")));
  if (unbuilt !== undefined) return `services/${unbuilt} is not built; run 'make test' (it builds first)`;
  return realStackSkip() || kafkaSkipReason();
}

/** A running stack with its broker and a gateway client of its tenant. */
export interface TestStack {
  readonly broker: KafkaBroker;
  readonly stack: Stack;
  readonly client: GatewayClient;
  stop(): Promise<void>;
}

/** What a test may change in the stack it starts. */
export interface TestStackOptions {
  /** The stack's folder (default: a new one under runs/). */
  readonly dir?: string;
  /** The GGUF base model every service runs and trains (default: `defaultModelPath()`, SmolLM2). */
  readonly modelPath?: string;
  /** Environment added to one service's (after the quick retries). */
  readonly extraEnv?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
}

/** Starts the broker, then the whole stack on it. */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const broker = await startKafka();
  const store = chooseVectorStore(ROOT);
  try {
    const quickRetries = { RETRY_INITIAL_DELAY: "200ms", RETRY_MAX_DELAY: "3s", RETRY_ATTEMPTS: "30" };
    const stack = await startStack({
      root: ROOT,
      dir: options.dir ?? (await runsDir()),
      kafka: { bootstrap: broker.bootstrap },
      modelPath: options.modelPath ?? defaultModelPath(),
      trainerPython: TRAINER_PYTHON,
      llmParallel: 2,
      killOnExit: true,
      ...(store.kind === "qdrant" ? { qdrantBin: store.bin } : {}),
      extraEnv: {
        controller: { ...quickRetries, ...options.extraEnv?.controller },
        generation: { ...quickRetries, ...options.extraEnv?.generation },
        filtering: { ...quickRetries, ...options.extraEnv?.filtering },
        "training-dispatch": { ...quickRetries, ...options.extraEnv?.["training-dispatch"] },
        evaluation: { ...quickRetries, ...options.extraEnv?.evaluation },
        gateway: { ...options.extraEnv?.gateway },
        retrieval: { ...options.extraEnv?.retrieval },
      },
    });
    return {
      broker,
      stack,
      client: createGatewayClient(stack.gatewayUrl, stack.token),
      stop: async () => {
        await stack.stop();
        await broker.stop();
      },
    };
  } catch (err) {
    await broker.stop();
    throw err;
  }
}

/**
 * How many points of `run` the stack's Qdrant holds, read through its REST API (exact count, every
 * collection); `undefined` when the stack keeps its samples in LanceDB.
 */
export async function qdrantPoints(stack: Stack, run: string): Promise<number | undefined> {
  if (stack.qdrantUrl === null) return undefined;
  const list = (await (await fetch(`${stack.qdrantUrl}/collections`)).json()) as {
    result: { collections: { name: string }[] };
  };
  let points = 0;
  for (const { name } of list.result.collections) {
    const res = await fetch(`${stack.qdrantUrl}/collections/${name}/points/count`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ exact: true, filter: { must: [{ key: "run", match: { value: run } }] } }),
    });
    points += ((await res.json()) as { result: { count: number } }).result.count;
  }
  return points;
}

/** The JSON lines of a file under the stack's artifact volume. */
export async function readJsonl(stack: Stack, key: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(stack.dir, "artifacts", key), "utf8");
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
